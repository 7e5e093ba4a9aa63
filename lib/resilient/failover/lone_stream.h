/* gst-resilient: a container that carries one stream, said early.
 *
 * flvdemux waits up to 6 s of stream time for a second stream before its
 * no-more-pads, and decodebin2 (uridecodebin) exposes a demuxer's pads only
 * then (flv_meta.h says why). When the FLV's onMetaData names exactly one
 * stream, and the demuxer has that one stream, no other comes: at its first
 * unit the element emits no-more-pads on the demuxer itself. Metadata that
 * names both streams, or neither, or no metadata at all, leaves it to the
 * demuxer (a second stream that starts late is then still linked).
 *
 * Plain C++, fed the metadata verdict, the demuxer's pads and its units;
 * unit-tested without a pipeline.
 */
#pragma once

#include "resilient/failover/flv_meta.h"

namespace resilient::failover {

class LoneStreamWatch
{
public:
  /* The streams the container's metadata names (FlvMetaScan). */
  void metadata (FlvStreams named) { named_ = named; known_ = true; }
  /* The demuxer added a stream (a source pad). */
  void stream_added () { streams_++; }
  /* A unit on one of the demuxer's streams. True once: from this unit on
   * the container counts as complete. */
  bool on_unit ();
  bool declared () const { return declared_; }
  /* Whether the watch can still declare (else its probes can go). */
  bool open () const;

private:
  bool known_ = false;
  FlvStreams named_;
  int streams_ = 0;
  bool declared_ = false;
};

} // namespace resilient::failover
