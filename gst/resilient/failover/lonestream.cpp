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

/* One per demuxer, shared by its pad-added handler and the probes on its
 * pads (each holds a reference, released with the handler or the probe).
 * The lock: the sink pad's probe and the source pads' run on the
 * demuxer's streaming thread, pad-added too, but nothing promises it. */
struct LoneStream
{
  std::mutex lock;
  FlvMetaScan scan;
  std::uint64_t next_offset = 0; /* pull mode: reads must be in order */
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

/* LoneStream::lock held: one buffer of the demuxer's input to the scan;
 * false once the scan has its verdict. */
bool
scan_locked (LoneStream &ls, GstBuffer *buf)
{
  const guint64 off = GST_BUFFER_OFFSET (buf);
  if (off != GST_BUFFER_OFFSET_NONE && off != ls.next_offset) {
    ls.watch.metadata ({}); /* not read in order: no verdict */
    return false;
  }
  GstMapInfo map;
  if (!gst_buffer_map (buf, &map, GST_MAP_READ))
    return true;
  ls.next_offset += map.size;
  auto verdict = ls.scan.feed (map.data, map.size);
  gst_buffer_unmap (buf, &map);
  if (verdict == FlvMetaScan::Verdict::Reading)
    return true;
  ls.watch.metadata (verdict == FlvMetaScan::Verdict::Found
                         ? ls.scan.streams ()
                         : FlvStreams{});
  return false;
}

/* The demuxer's input (pushed, or pulled from a file). */
GstPadProbeReturn
input_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  LoneStream &ls = **static_cast<LoneStreamRef *> (user_data);
  std::lock_guard<std::mutex> g (ls.lock);
  bool more = true;
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    if (GstBuffer *b = GST_PAD_PROBE_INFO_BUFFER (info))
      more = scan_locked (ls, b);
  } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    GstBufferList *l = GST_PAD_PROBE_INFO_BUFFER_LIST (info);
    for (guint i = 0; more && i < gst_buffer_list_length (l); i++)
      more = scan_locked (ls, gst_buffer_list_get (l, i));
  }
  if (!more)
    GST_DEBUG_OBJECT (pad, "onMetaData: %s (video %d, audio %d)",
                      ls.scan.verdict () == FlvMetaScan::Verdict::Found
                          ? "found"
                          : "none before the media",
                      ls.scan.streams ().video, ls.scan.streams ().audio);
  return more ? GST_PAD_PROBE_OK : GST_PAD_PROBE_REMOVE;
}

/* A unit out of the demuxer. */
GstPadProbeReturn
unit_probe (GstPad *pad, GstPadProbeInfo *, gpointer user_data)
{
  LoneStream &ls = **static_cast<LoneStreamRef *> (user_data);
  bool declare, more;
  {
    std::lock_guard<std::mutex> g (ls.lock);
    declare = ls.watch.on_unit ();
    more = ls.watch.open ();
  }
  if (declare) {
    GstElement *demux = gst_pad_get_parent_element (pad);
    if (demux) {
      GST_INFO_OBJECT (demux, "onMetaData names one stream and %s:%s is it: "
                       "no-more-pads", GST_DEBUG_PAD_NAME (pad));
      gst_element_no_more_pads (demux);
      gst_object_unref (demux);
    }
  }
  return more ? GST_PAD_PROBE_OK : GST_PAD_PROBE_REMOVE;
}

void
pad_added (GstElement *, GstPad *pad, gpointer user_data)
{
  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;
  const LoneStreamRef &ls = *static_cast<LoneStreamRef *> (user_data);
  {
    std::lock_guard<std::mutex> g (ls->lock);
    const bool early = ls->watch.declared ();
    ls->watch.stream_added ();
    if (early) {
      /* Metadata that named one stream of two: decodebin does not link
       * a stream after the no-more-pads, and the candidate stalls until
       * it fails on `timeout`. */
      GST_WARNING_OBJECT (pad, "a second stream after onMetaData named one "
                          "and no-more-pads was emitted: this stream's "
                          "metadata is wrong");
      return;
    }
    if (!ls->watch.open ())
      return;
  }
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, unit_probe,
                     new LoneStreamRef (ls), drop_ref);
}

} // namespace

void
watch_lone_stream (GstElement *demux)
{
  auto ls = std::make_shared<LoneStream> ();
  GstPad *sink = gst_element_get_static_pad (demux, "sink");
  if (!sink)
    return;
  gst_pad_add_probe (sink,
                     /* No scheduling flag: pushed and pulled data. */
                     (GstPadProbeType)(GST_PAD_PROBE_TYPE_BUFFER
                                       | GST_PAD_PROBE_TYPE_BUFFER_LIST),
                     input_probe, new LoneStreamRef (ls), drop_ref);
  gst_object_unref (sink);
  g_signal_connect_data (demux, "pad-added", G_CALLBACK (pad_added),
                         new LoneStreamRef (ls), drop_ref_closure,
                         GConnectFlags (0));
}

} // namespace resilient::gst::failoversrc
