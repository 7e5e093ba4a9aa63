#include "common/messages.h"

#include "resilient/core/redact.h"

namespace resilient::gst {

void
post_element_message (GstElement * element, GstStructure * s)
{
  gst_element_post_message (element,
      gst_message_new_element (GST_OBJECT_CAST (element), s));
}

std::string
redact_uri (const std::string &uri)
{
  return resilient::Redact::uri (uri);
}

std::string
redact_text (const std::string &text)
{
  return resilient::Redact::text (text);
}

GType
register_enum_once (GType *type, const char *name, const GEnumValue *values)
{
  if (g_once_init_enter (type)) {
    GType t = g_enum_register_static (name, values);
    g_once_init_leave (type, t);
  }
  return *type;
}

}  // namespace resilient::gst
