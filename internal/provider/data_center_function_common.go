package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/function"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
)

// dataCenterFunction is a function of one data_center argument that
// returns one URL of that data center (accounts_url, api_domain). It reads
// the argument as the data_center attribute is read (parseDataCenter): any
// case, no surrounding white space.
type dataCenterFunction struct {
	name        string
	summary     string
	description string
	url         func(zoho.DataCenter) string
}

var _ function.Function = dataCenterFunction{}

func (f dataCenterFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = f.name
}

func (f dataCenterFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: f.summary,
		MarkdownDescription: f.description + " The data center is one of " + dataCenterList() +
			", in any case; anything else is an error. Needs Terraform >= 1.8 or OpenTofu >= 1.7.",
		Parameters: []function.Parameter{
			function.StringParameter{
				Name:                "data_center",
				MarkdownDescription: "A Zoho data center, as the `data_center` attribute takes it: " + dataCenterList() + ".",
			},
		},
		Return: function.StringReturn{},
	}
}

func (f dataCenterFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var code string
	resp.Error = req.Arguments.Get(ctx, &code)
	if resp.Error != nil {
		return
	}
	dc, err := parseDataCenter(code)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(0, fmt.Sprintf("The data_center argument is %q, which is no Zoho data center. Valid values: %s.",
			code, strings.Join(zoho.DataCenterCodes(), ", ")))
		return
	}
	resp.Error = resp.Result.Set(ctx, f.url(dc))
}
