/* gst-resilient: failoversrc tells a one-stream FLV's demuxer early that
 * no second stream comes (LoneStreamWatch, lib/resilient/failover/
 * lone_stream.h): a video-only or audio-only RTMP or HTTP-FLV candidate
 * starts within kLoneStreamAfter of its stream instead of flvdemux's 6 s.
 */
#pragma once

#include <gst/gst.h>

namespace resilient::gst::failoversrc {

/* Watches `demux` (an flvdemux just added to a candidate's uridecodebin,
 * before it has pads): each of its source pads gets a buffer probe, and
 * when its only stream has run kLoneStreamAfter of its time, no-more-pads
 * is emitted on it from that pad's streaming thread, as flvdemux itself
 * does at 6 s. Any thread. */
void watch_lone_stream (GstElement *demux);

} // namespace resilient::gst::failoversrc
