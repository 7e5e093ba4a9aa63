#include "common/codecs.h"

namespace resilient::gst {

const CodecInfo *
codec_of_caps (const GstCaps *caps)
{
  if (!caps || gst_caps_is_any (caps) || gst_caps_get_size (caps) == 0)
    return nullptr;
  return codec_by_caps_name (
      gst_structure_get_name (gst_caps_get_structure (caps, 0)));
}

const CodecInfo *
codec_of_appsrc (GstElement *appsrc)
{
  if (!appsrc)
    return nullptr;
  GstCaps *caps = nullptr;
  g_object_get (appsrc, "caps", &caps, nullptr);
  const CodecInfo *codec = codec_of_caps (caps);
  if (caps)
    gst_caps_unref (caps);
  return codec;
}

} // namespace resilient::gst
