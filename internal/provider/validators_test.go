package provider

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
)

// TestDataCenterValidator checks that the data center rule the environment
// path uses (parseDataCenter) reads, in configuration, exactly as the
// framework's case-insensitive one-of validator would.
func TestDataCenterValidator(t *testing.T) {
	framework := stringvalidator.OneOfCaseInsensitive(zoho.DataCenterCodes()...)
	for _, v := range []string{"eu", "EU", "Uk", "mars", " eu", "eu ", ""} {
		req := validator.StringRequest{Path: path.Root("data_center"), ConfigValue: types.StringValue(v)}
		var ours, theirs validator.StringResponse
		dataCenterValidator().ValidateString(context.Background(), req, &ours)
		framework.ValidateString(context.Background(), req, &theirs)
		if diff := cmp.Diff(theirs.Diagnostics, ours.Diagnostics); diff != "" {
			t.Errorf("%q: diagnostics (-framework +ours):\n%s", v, diff)
		}
	}
}
