package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// allNull is a value of the schema's object type with every attribute null
// but the ones given.
func allNull(t *testing.T, typ tftypes.Type, set map[string]tftypes.Value) tftypes.Value {
	t.Helper()
	obj := typ.(tftypes.Object)
	values := map[string]tftypes.Value{}
	for name, at := range obj.AttributeTypes {
		values[name] = tftypes.NewValue(at, nil)
	}
	for name, v := range set {
		values[name] = v
	}
	return tftypes.NewValue(obj, values)
}

func TestModelIO_roundTripsEveryKind(t *testing.T) {
	ctx := context.Background()
	var res resource.SchemaResponse
	newRefreshTokenResource().Schema(ctx, resource.SchemaRequest{}, &res)
	var eph ephemeral.SchemaResponse
	newAccessTokenEphemeral().Schema(ctx, ephemeral.SchemaRequest{}, &eph)
	var ds datasource.SchemaResponse
	newAccessTokenDataSource().Schema(ctx, datasource.SchemaRequest{}, &ds)

	check := func(name string, src tfsdk.State, roundTrip func(src tfsdk.State, dst *tfsdk.State) diag.Diagnostics, dst *tfsdk.State) {
		t.Run(name, func(t *testing.T) {
			if d := roundTrip(src, dst); d.HasError() {
				t.Fatalf("round trip: %v", d)
			}
			if !dst.Raw.Equal(src.Raw) {
				t.Errorf("round trip changed the value:\n got %v\nwant %v", dst.Raw, src.Raw)
			}
		})
	}
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	scopes := tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, []tftypes.Value{str("ZohoCRM.users.READ")})

	resType := res.Schema.Type().TerraformType(ctx)
	check("resource", tfsdk.State{Schema: res.Schema, Raw: allNull(t, resType, map[string]tftypes.Value{
		"client_id": str("1000.X"), "scopes": scopes, "revoke_on_destroy": tftypes.NewValue(tftypes.Bool, true),
	})}, roundTrip[refreshTokenModel], &tfsdk.State{Schema: res.Schema})

	ephType := eph.Schema.Type().TerraformType(ctx)
	check("ephemeral", tfsdk.State{Schema: eph.Schema, Raw: allNull(t, ephType, map[string]tftypes.Value{
		"refresh_token": str("r"), "scopes": scopes, "expires_in": tftypes.NewValue(tftypes.Number, 3600),
		"revoke_on_close": tftypes.NewValue(tftypes.Bool, false),
	})}, roundTrip[accessTokenEphemeralModel], &tfsdk.State{Schema: eph.Schema})

	dsType := ds.Schema.Type().TerraformType(ctx)
	check("data source", tfsdk.State{Schema: ds.Schema, Raw: allNull(t, dsType, map[string]tftypes.Value{
		"access_token": str("a"),
	})}, roundTrip[accessTokenModel], &tfsdk.State{Schema: ds.Schema})

	t.Run("a model that does not match the schema is refused", func(t *testing.T) {
		var short struct {
			RefreshToken types.String `tfsdk:"refresh_token"`
		}
		d := getModel(ctx, tfsdk.State{Schema: ds.Schema, Raw: allNull(t, dsType, nil)}, &short)
		if !d.HasError() || !strings.Contains(d.Errors()[0].Detail(), "Please report this bug") {
			t.Errorf("getModel of a short model = %v, want an internal error", d)
		}
	})
	t.Run("a field that holds no framework value is a diagnostic, not a panic", func(t *testing.T) {
		var odd struct {
			RefreshToken string `tfsdk:"refresh_token"`
		}
		d := setModel(ctx, &tfsdk.State{Schema: ds.Schema}, &odd)
		if !d.HasError() || !strings.Contains(d.Errors()[0].Detail(), "Please report this bug") {
			t.Errorf("setModel of a model with a plain string = %v, want an internal error", d)
		}
	})
}

// roundTrip reads src into a model of type M and writes it to dst.
func roundTrip[M any](src tfsdk.State, dst *tfsdk.State) diag.Diagnostics {
	var m M
	diags := getModel(context.Background(), src, &m)
	if diags.HasError() {
		return diags
	}
	return setModel(context.Background(), dst, &m)
}
