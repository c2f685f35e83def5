package main

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestRenameProvider(t *testing.T) {
	doc := `{"format_version":"1.0","provider_schemas":{"registry.opentofu.org/cd40c554/zoho":{"provider":{"version":0}},"registry.opentofu.org/hashicorp/null":{}}}`
	out, err := renameProvider([]byte(doc), "registry.opentofu.org/cd40c554/zoho", "zoho")
	if err != nil {
		t.Fatal(err)
	}
	var got, want any
	_ = json.Unmarshal(out, &got)
	_ = json.Unmarshal([]byte(`{"format_version":"1.0","provider_schemas":{"zoho":{"provider":{"version":0}},"registry.opentofu.org/hashicorp/null":{}}}`), &want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("renameProvider = %s", out)
	}
	if _, err := renameProvider([]byte(`{"provider_schemas":{}}`), "registry.opentofu.org/cd40c554/zoho", "zoho"); err == nil {
		t.Error("a schema without the provider was accepted")
	}
}
