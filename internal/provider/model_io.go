package provider

import (
	"context"
	"fmt"
	"reflect"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Reading a whole configuration, plan or state into a model struct, or
// writing one back, is what every resource kind does per instance. The
// framework's own struct conversion compiles a regular expression for every
// struct field on every call (terraform-plugin-framework v1.19.0,
// internal/reflect.isValidFieldName), which was a fifth of the provider's CPU
// in a plan of 1000 ephemeral instances (BENCHMARKS.md). getModel and
// setModel go through a types.Object instead, which the framework converts
// without struct reflection, with each model's fields found once per type.
// Like the framework, they refuse a model whose tfsdk fields do not match the
// schema's attributes exactly.

// objectGetter is tfsdk.Config, tfsdk.Plan and tfsdk.State.
type objectGetter interface {
	Get(ctx context.Context, target any) diag.Diagnostics
}

// objectSetter is tfsdk.Plan, tfsdk.State and tfsdk.EphemeralResultData.
type objectSetter interface {
	Set(ctx context.Context, val any) diag.Diagnostics
}

// modelField is one tfsdk-tagged field of a model: its attribute name and
// where it is in the struct (embedded structs included).
type modelField struct {
	name  string
	index []int
}

var modelFieldsByType sync.Map // reflect.Type -> []modelField

// modelFields lists the tfsdk fields of struct type t, once per type.
func modelFields(t reflect.Type) []modelField {
	if cached, ok := modelFieldsByType.Load(t); ok {
		return cached.([]modelField)
	}
	var fields []modelField
	var walk func(t reflect.Type, prefix []int)
	walk = func(t reflect.Type, prefix []int) {
		for i := range t.NumField() {
			f := t.Field(i)
			index := append(append([]int{}, prefix...), i)
			name, tagged := f.Tag.Lookup("tfsdk")
			switch {
			case f.Anonymous && !tagged && f.Type.Kind() == reflect.Struct:
				walk(f.Type, index)
			case tagged && name != "-":
				fields = append(fields, modelField{name: name, index: index})
			}
		}
	}
	walk(t, nil)
	modelFieldsByType.Store(t, fields)
	return fields
}

// getModel reads src into *model, a struct of tfsdk-tagged fields (the type
// parameter makes a non-pointer a compile error, not a panic).
func getModel[M any](ctx context.Context, src objectGetter, model *M) diag.Diagnostics {
	var obj types.Object
	diags := src.Get(ctx, &obj)
	if diags.HasError() {
		return diags
	}
	v := reflect.ValueOf(model).Elem()
	fields := modelFields(v.Type())
	attrs := obj.Attributes()
	if len(attrs) != len(fields) {
		diags.AddError("Internal Error", fmt.Sprintf("Model %s has %d attributes, the schema %d. Please report this bug.", v.Type(), len(fields), len(attrs)))
		return diags
	}
	for _, f := range fields {
		value, ok := attrs[f.name]
		field := v.FieldByIndex(f.index)
		if !ok || !reflect.TypeOf(value).AssignableTo(field.Type()) {
			diags.AddError("Internal Error", fmt.Sprintf("Model %s does not match the schema at %q. Please report this bug.", v.Type(), f.name))
			return diags
		}
		field.Set(reflect.ValueOf(value))
	}
	return diags
}

// setModel writes *model into dst. A field that holds no framework value
// is a diagnostic, as in getModel, never a panic.
func setModel[M any](ctx context.Context, dst objectSetter, model *M) diag.Diagnostics {
	var diags diag.Diagnostics
	v := reflect.ValueOf(model).Elem()
	fields := modelFields(v.Type())
	values := make(map[string]attr.Value, len(fields))
	attrTypes := make(map[string]attr.Type, len(fields))
	for _, f := range fields {
		value, ok := v.FieldByIndex(f.index).Interface().(attr.Value)
		if !ok || value == nil {
			diags.AddError("Internal Error", fmt.Sprintf("Model %s holds no framework value at %q. Please report this bug.", v.Type(), f.name))
			return diags
		}
		values[f.name], attrTypes[f.name] = value, value.Type(ctx)
	}
	obj, diags := types.ObjectValue(attrTypes, values)
	if diags.HasError() {
		return diags
	}
	return dst.Set(ctx, obj)
}

// scopesValue is a list of scopes as a state or result holds it: null when
// Zoho said none.
func scopesValue(scopes []string) types.List {
	if scopes == nil {
		return types.ListNull(types.StringType)
	}
	elems := make([]attr.Value, len(scopes))
	for i, s := range scopes {
		elems[i] = types.StringValue(s)
	}
	return types.ListValueMust(types.StringType, elems)
}
