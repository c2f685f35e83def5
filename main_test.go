package main

import (
	"maps"
	"testing"
)

func TestQuietUnlessLogging(t *testing.T) {
	for _, tt := range []struct {
		name    string
		environ []string
		want    map[string]string
	}{
		{"the CLI logs nothing", []string{"HOME=/home/u", "PATH=/bin", "ZOHO_LOG=x"}, map[string]string{
			"TF_LOG_PROVIDER": "off", "TF_LOG_SDK": "off", "TF_LOG_SDK_PROTO": "off", "TF_LOG_SDK_FRAMEWORK": "off",
		}},
		{"TF_LOG set", []string{"HOME=/home/u", "TF_LOG=trace"}, map[string]string{}},
		{"only the provider's level set", []string{"TF_LOG_PROVIDER=debug"}, map[string]string{}},
		{"TF_LOG_PATH alone", []string{"TF_LOG_PATH=/tmp/tf.log"}, map[string]string{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := map[string]string{}
			quietUnlessLogging(tt.environ, func(k, v string) error { got[k] = v; return nil })
			if !maps.Equal(got, tt.want) {
				t.Errorf("set %v, want %v", got, tt.want)
			}
		})
	}
}
