/* gst-resilient tracer: structure conversions and redaction.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "tracer/convert.h"

#include "common/messages.h"

namespace resilient::gst {

static bool
field_from_value (const char *name, const GValue *v, metrics::Field &f)
{
  using K = metrics::Field::Kind;
  f.name = name;
  GType t = G_VALUE_TYPE (v);
  if (t == G_TYPE_INT) {
    f.kind = K::Int;
    f.number = g_value_get_int (v);
  } else if (t == G_TYPE_INT64) {
    f.kind = K::Int;
    f.number = (double)g_value_get_int64 (v);
  } else if (t == G_TYPE_LONG) {
    f.kind = K::Int;
    f.number = (double)g_value_get_long (v);
  } else if (t == G_TYPE_UINT) {
    f.kind = K::Uint;
    f.number = g_value_get_uint (v);
  } else if (t == G_TYPE_UINT64) {
    f.kind = K::Uint;
    f.number = (double)g_value_get_uint64 (v);
  } else if (t == G_TYPE_ULONG) {
    f.kind = K::Uint;
    f.number = (double)g_value_get_ulong (v);
  } else if (t == G_TYPE_DOUBLE) {
    f.kind = K::Double;
    f.number = g_value_get_double (v);
  } else if (t == G_TYPE_FLOAT) {
    f.kind = K::Double;
    f.number = g_value_get_float (v);
  } else if (t == G_TYPE_BOOLEAN) {
    f.kind = K::Bool;
    f.number = g_value_get_boolean (v) ? 1 : 0;
  } else if (t == G_TYPE_STRING) {
    f.kind = K::String;
    const char *s = g_value_get_string (v);
    f.text = s ? s : "";
  } else if (G_TYPE_IS_ENUM (t)) {
    f.kind = K::String;
    GEnumClass *klass = (GEnumClass *)g_type_class_ref (t);
    GEnumValue *ev = g_enum_get_value (klass, g_value_get_enum (v));
    f.text = ev ? ev->value_nick : "";
    g_type_class_unref (klass);
  } else if (t == GST_TYPE_ARRAY || t == GST_TYPE_LIST) {
    f.kind = K::List;
    bool array = t == GST_TYPE_ARRAY;
    guint n
        = array ? gst_value_array_get_size (v) : gst_value_list_get_size (v);
    for (guint i = 0; i < n; i++) {
      const GValue *e = array ? gst_value_array_get_value (v, i)
                              : gst_value_list_get_value (v, i);
      if (G_VALUE_TYPE (e) == GST_TYPE_STRUCTURE)
        f.list.push_back (record_from_structure (gst_value_get_structure (e)));
    }
  } else {
    return false;
  }
  return true;
}

metrics::Record
record_from_structure (const GstStructure *s)
{
  metrics::Record r;
  if (!s)
    return r;
  r.type = gst_structure_get_name (s);
  gint n = gst_structure_n_fields (s);
  for (gint i = 0; i < n; i++) {
    const char *name = gst_structure_nth_field_name (s, i);
    metrics::Field f;
    if (field_from_value (name, gst_structure_get_value (s, name), f))
      r.fields.push_back (std::move (f));
  }
  return r;
}

static void json_add_value (JsonBuilder *b, const GValue *v);

static void
json_add_structure (JsonBuilder *b, const GstStructure *s)
{
  json_builder_begin_object (b);
  json_add_structure_fields (b, s);
  json_builder_end_object (b);
}

static void
json_add_value (JsonBuilder *b, const GValue *v)
{
  GType t = G_VALUE_TYPE (v);
  if (t == G_TYPE_INT)
    json_builder_add_int_value (b, g_value_get_int (v));
  else if (t == G_TYPE_INT64)
    json_builder_add_int_value (b, g_value_get_int64 (v));
  else if (t == G_TYPE_UINT)
    json_builder_add_int_value (b, g_value_get_uint (v));
  else if (t == G_TYPE_UINT64)
    json_builder_add_int_value (b, (gint64)g_value_get_uint64 (v));
  else if (t == G_TYPE_DOUBLE)
    json_builder_add_double_value (b, g_value_get_double (v));
  else if (t == G_TYPE_FLOAT)
    json_builder_add_double_value (b, g_value_get_float (v));
  else if (t == G_TYPE_BOOLEAN)
    json_builder_add_boolean_value (b, g_value_get_boolean (v));
  else if (t == G_TYPE_STRING) {
    const char *s = g_value_get_string (v);
    json_builder_add_string_value (b, redact_text (s ? s : "").c_str ());
  } else if (t == GST_TYPE_STRUCTURE) {
    json_add_structure (b, gst_value_get_structure (v));
  } else if (t == GST_TYPE_ARRAY || t == GST_TYPE_LIST) {
    bool array = t == GST_TYPE_ARRAY;
    guint n
        = array ? gst_value_array_get_size (v) : gst_value_list_get_size (v);
    json_builder_begin_array (b);
    for (guint i = 0; i < n; i++)
      json_add_value (b, array ? gst_value_array_get_value (v, i)
                               : gst_value_list_get_value (v, i));
    json_builder_end_array (b);
  } else if (G_TYPE_IS_ENUM (t)) {
    GEnumClass *klass = (GEnumClass *)g_type_class_ref (t);
    GEnumValue *ev = g_enum_get_value (klass, g_value_get_enum (v));
    json_builder_add_string_value (b, ev ? ev->value_nick : "");
    g_type_class_unref (klass);
  } else {
    gchar *str = gst_value_serialize (v);
    json_builder_add_string_value (b, redact_text (str ? str : "").c_str ());
    g_free (str);
  }
}

void
json_add_structure_fields (JsonBuilder *b, const GstStructure *s)
{
  gint n = gst_structure_n_fields (s);
  for (gint i = 0; i < n; i++) {
    const char *name = gst_structure_nth_field_name (s, i);
    json_builder_set_member_name (b, name);
    json_add_value (b, gst_structure_get_value (s, name));
  }
}

} // namespace resilient::gst
