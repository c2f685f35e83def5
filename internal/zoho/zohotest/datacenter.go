package zohotest

import (
	"fmt"
	"slices"
	"strings"
)

// defaultAPIDomains is what each data center answers as api_domain. CA's is
// www.zohoapis.ca although its accounts host is accounts.zohocloud.ca.
var defaultAPIDomains = map[string]string{
	"us": "https://www.zohoapis.com",
	"eu": "https://www.zohoapis.eu",
	"in": "https://www.zohoapis.in",
	"au": "https://www.zohoapis.com.au",
	"jp": "https://www.zohoapis.jp",
	"cn": "https://www.zohoapis.com.cn",
	"ca": "https://www.zohoapis.ca",
	"sa": "https://www.zohoapis.sa",
	"uk": "https://www.zohoapis.uk",
}

// dataCenterOrder is the order DataCenters reports, Zoho's own order.
var dataCenterOrder = []string{"us", "eu", "in", "au", "jp", "cn", "ca", "sa", "uk"}

// DataCenters lists the data center codes the emulator knows, so a program
// can validate a user's choice before Handler would panic on it.
func DataCenters() []string {
	return slices.Clone(dataCenterOrder)
}

// mustKnowDataCenter panics on a data center the emulator does not serve: a
// typo in a test setup should stop the test at once, not yield an empty DC.
func mustKnowDataCenter(dc string) {
	if _, ok := defaultAPIDomains[dc]; !ok {
		panic(fmt.Sprintf("zohotest: unknown data center %q (known: %s)", dc, strings.Join(dataCenterOrder, ", ")))
	}
}
