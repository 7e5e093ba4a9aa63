/* gst-resilient: failoversrc, a one-stream FLV said early (lonestream.h). */
#include "failover/lonestream.h"

#include "failover/private.h"
#include "resilient/failover/lone_stream.h"

#include <memory>
#include <mutex>

#define GST_CAT_DEFAULT failover_src_debug

using namespace resilient;
using namespace resilient::failover;

namespace resilient::gst::failoversrc {

namespace {

/* One per demuxer, shared by its pad-added handler and its pads' probes
 * (each holds a reference, released with the handler or the probe). The
 * lock: flvdemux pushes from one streaming thread, but pad-added and the
 * probes are not promised to stay on it. */
struct LoneStream
{
  std::mutex lock;
  LoneStreamWatch watch;
};
using LoneStreamRef = std::shared_ptr<LoneStream>;

void
drop_ref (gpointer p)
{
  delete static_cast<LoneStreamRef *> (p);
}

void
drop_ref_closure (gpointer p, GClosure *)
{
  drop_ref (p);
}

GstPadProbeReturn
unit_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  LoneStream &ls = **static_cast<LoneStreamRef *> (user_data);
  const GstClockTime ts = GST_BUFFER_DTS_OR_PTS (GST_PAD_PROBE_INFO_BUFFER (info));
  if (!GST_CLOCK_TIME_IS_VALID (ts))
    return GST_PAD_PROBE_OK;
  bool declare, done;
  {
    std::lock_guard<std::mutex> g (ls.lock);
    declare = ls.watch.on_unit (from_ns (ts));
    done = ls.watch.declared ();
  }
  if (declare) {
    GstElement *demux = gst_pad_get_parent_element (pad);
    if (demux) {
      GST_INFO_OBJECT (demux, "one stream (%s:%s) for %" G_GINT64_FORMAT
                       " ms: no other stream expected, no-more-pads",
                       GST_DEBUG_PAD_NAME (pad),
                       (gint64) to_ms (kLoneStreamAfter));
      gst_element_no_more_pads (demux);
      gst_object_unref (demux);
    }
  }
  return done ? GST_PAD_PROBE_REMOVE : GST_PAD_PROBE_OK;
}

void
pad_added (GstElement *, GstPad *pad, gpointer user_data)
{
  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;
  const LoneStreamRef &ls = *static_cast<LoneStreamRef *> (user_data);
  {
    std::lock_guard<std::mutex> g (ls->lock);
    ls->watch.stream_added ();
    if (ls->watch.declared ())
      return; /* a late stream: linked by decodebin, nothing to watch */
  }
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, unit_probe,
                     new LoneStreamRef (ls), drop_ref);
}

} // namespace

void
watch_lone_stream (GstElement *demux)
{
  g_signal_connect_data (demux, "pad-added", G_CALLBACK (pad_added),
                         new LoneStreamRef (std::make_shared<LoneStream> ()),
                         drop_ref_closure, GConnectFlags (0));
}

} // namespace resilient::gst::failoversrc
