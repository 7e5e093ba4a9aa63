/* gst-resilient: failoversrc tells a one-stream FLV's demuxer that no
 * second stream comes when its onMetaData says so (FlvMetaScan and
 * LoneStreamWatch, lib/resilient/failover/flv_meta.h, lone_stream.h): a
 * video-only or audio-only RTMP or HTTP-FLV candidate starts at its first
 * unit instead of after flvdemux's 6 s.
 */
#pragma once

#include <gst/gst.h>

namespace resilient::gst::failoversrc {

/* Watches `demux` (an flvdemux just added to a candidate's uridecodebin,
 * before it has pads): its input is scanned for onMetaData, each of its
 * source pads gets a buffer probe, and when the metadata names one stream
 * and that stream's first unit comes, no-more-pads is emitted on it from
 * that pad's streaming thread, as flvdemux itself does at 6 s. Any
 * thread. */
void watch_lone_stream (GstElement *demux);

} // namespace resilient::gst::failoversrc
