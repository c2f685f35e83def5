//go:build zohotestclock

package provider

// Only in provider builds for the fleet tests (go build -tags
// zohotestclock): ZOHO_TEST_CLOCK_SKEW (a Go duration such as "-2m" or
// "24h") puts this process's clock that far off, as a CI runner whose clock
// is wrong would be. Every time the provider reads (token expiries, the
// token caches) comes from it; the store's and Zoho's clocks stay right.
// Released binaries are built without the tag and never read the variable.

import (
	"os"
	"time"
)

func init() {
	raw := os.Getenv("ZOHO_TEST_CLOCK_SKEW")
	if raw == "" {
		return
	}
	skew, err := time.ParseDuration(raw)
	if err != nil {
		panic("ZOHO_TEST_CLOCK_SKEW: " + err.Error())
	}
	machineClock = func() time.Time { return time.Now().Add(skew) }
}
