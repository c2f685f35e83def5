package provider

import (
	"testing"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
)

func TestAccAccountsURLFunction(t *testing.T) {
	testDataCenterFunction(t, "accounts_url", func(dc zoho.DataCenter) string { return dc.AccountsURL })
}
