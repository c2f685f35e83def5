package provider

import (
	"testing"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
)

func TestAccAPIDomainFunction(t *testing.T) {
	testDataCenterFunction(t, "api_domain", func(dc zoho.DataCenter) string { return dc.APIDomain })
}
