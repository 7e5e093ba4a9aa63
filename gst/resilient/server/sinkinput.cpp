/* gst-resilient server side: what reswhepserversink's pads take. */
#include "server/sinkinput.h"

#include "resilient/server/input.h"

namespace resilient::gst::server {

using resilient::Codec;
using resilient::server::choose_input;
using resilient::server::InputChoice;
using resilient::server::InputKind;

GstCaps *
sink_input_caps (bool video, Codec served)
{
  GstCaps *caps
      = gst_caps_new_empty_simple (video ? "video/x-raw" : "audio/x-raw");
  const char *name = codec_info (served).caps_name;
  if (served == Codec::H264)
    gst_caps_append (caps,
                     gst_caps_from_string (
                         "video/x-h264, profile=(string)constrained-baseline; "
                         "video/x-h264, profile=(string)baseline"));
  gst_caps_append (caps, gst_caps_new_empty_simple (name));
  return caps;
}

static const SinkInputHooks &
hooks_of (gpointer data)
{
  return *static_cast<const SinkInputHooks *> (data);
}

static gboolean
answer_caps_query (GstPad *pad, const SinkInputHooks &h, GstQuery *query)
{
  GstCaps *ours = sink_input_caps (h.video, h.served ());
  if (GST_QUERY_TYPE (query) == GST_QUERY_ACCEPT_CAPS) {
    GstCaps *caps = nullptr;
    gst_query_parse_accept_caps (query, &caps);
    gst_query_set_accept_caps_result (query, gst_caps_is_subset (caps, ours));
    gst_caps_unref (ours);
    return TRUE;
  }
  GstCaps *filter = nullptr;
  gst_query_parse_caps (query, &filter);
  if (filter) {
    GstCaps *i
        = gst_caps_intersect_full (filter, ours, GST_CAPS_INTERSECT_FIRST);
    gst_caps_unref (ours);
    ours = i;
  }
  gst_query_set_caps_result (query, ours);
  gst_caps_unref (ours);
  (void)pad;
  return TRUE;
}

static gboolean
input_query (GstPad *pad, GstObject *parent, GstQuery *query)
{
  if (GST_QUERY_TYPE (query) == GST_QUERY_CAPS
      || GST_QUERY_TYPE (query) == GST_QUERY_ACCEPT_CAPS)
    return answer_caps_query (pad, hooks_of (pad->querydata), query);
  return gst_pad_query_default (pad, parent, query);
}

/* Upstream's streaming thread. */
static GstPadProbeReturn
on_input_event (GstPad *, GstPadProbeInfo *info, gpointer data)
{
  GstEvent *ev = GST_PAD_PROBE_INFO_EVENT (info);
  if (GST_EVENT_TYPE (ev) != GST_EVENT_CAPS)
    return GST_PAD_PROBE_OK;
  const SinkInputHooks &h = hooks_of (data);
  GstCaps *caps = nullptr;
  gst_event_parse_caps (ev, &caps);
  if (!caps || gst_caps_is_empty (caps))
    return GST_PAD_PROBE_OK;
  InputChoice c
      = choose_input (gst_structure_get_name (gst_caps_get_structure (caps, 0)),
                      h.video, h.served ());
  if (c.kind == InputKind::Unsupported) {
    /* the chain refuses the caps too: not-negotiated upstream */
    h.refuse (c.reason);
    return GST_PAD_PROBE_OK;
  }
  bool encoded = c.kind == InputKind::Encoded;
  if (encoded != h.encoded ())
    h.rebuild (encoded);
  return GST_PAD_PROBE_OK;
}

void
sink_input_install (GstPad *ghost, SinkInputHooks hooks)
{
  auto *query_hooks = new SinkInputHooks (hooks);
  gst_pad_set_query_function_full (
      ghost, input_query, query_hooks,
      [] (gpointer p) { delete static_cast<SinkInputHooks *> (p); });
  gst_pad_add_probe (ghost, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_input_event,
                     new SinkInputHooks (std::move (hooks)), [] (gpointer p) {
                       delete static_cast<SinkInputHooks *> (p);
                     });
}

} // namespace resilient::gst::server
