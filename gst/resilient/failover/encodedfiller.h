/* gst-resilient: failoversrc mode=encoded, the filler (element side).
 *
 * While no candidate is healthy an encoded output carries a slate in its
 * own codec: a keyframe of black (or `fallback-image`) at the output's
 * resolution, repeated every kSlateVideoInterval, and a packet of silence
 * at the output's rate and channels, repeated back to back. Both are
 * encoded once per output format by a short-lived pipeline that the
 * control loop starts and polls (never blocks on, never from a streaming
 * thread): `videotestsrc pattern=black` (or the image through decodebin
 * and imagefreeze) or `audiotestsrc wave=silence`, the highest-ranked
 * installed encoder that produces the output's caps, the codec table's
 * parser, a capsfilter on the output's stream format, appsink. The rules
 * (when to encode, give up, which units to repeat) are Slate
 * (lib/resilient/failover/encoded_filler.h). Units go out through
 * push_encoded as source 0 (filler): DISCONT and, when they differ, the
 * slate's caps at the filler cut. No encoder for the codec: a WARNING, the
 * element message failoversrc-filler-unavailable, and that pad carries
 * nothing while on filler (as before the filler existed).
 *
 * Loop thread only (reset: with the loop idle).
 */
#pragma once

#include "resilient/failover/encoded_filler.h"

#include <gst/gst.h>

#include <string>
#include <vector>

struct _GstFailoverSrc;

namespace resilient::gst::failoversrc {

/* One output stream's slate and the encoding that makes it. */
struct SlateStream
{
  resilient::failover::Slate rule;
  GstElement *pipe = nullptr; /* the running encoding */
  GstElement *sink = nullptr;
  std::string codec;   /* of the running encoding, for messages */
  std::string encoder; /* its factory */
  bool from_image = false;
  std::vector<GstSample *> collected;
  std::vector<GstBuffer *> units; /* the slate */
  GstCaps *caps = nullptr;        /* its caps */
  bool image_failed = false;      /* fallback-image did not encode */
  GstCaps *keyed = nullptr;       /* the output caps `key` describes */
  std::string key;
};

struct EncodedFiller
{
  SlateStream s[2];
  ~EncodedFiller ();
};

/* Loop thread, every tick in mode=encoded: encodes slates for the output's
 * formats as they become known, and while the output is on filler puts the
 * due slate units out. */
void encoded_filler_tick (_GstFailoverSrc *self, GstClockTime now);
/* Loop thread, at a cut from filler to a candidate (prepare_encoded_cut):
 * both slates are closed at `until`, the cut point the candidate's video
 * starts at (the later of now and the output's end): the audio slate goes
 * on up to it, and the video slate gets one more unit a frame before it
 * when its last one is further back (closing_slate_at). The candidate's
 * audio takes over where the filler ended; a filler that lags the clock
 * (a busy loop tick) would otherwise hand over behind the video, and a
 * video pad quiet for most of a slate interval before the cut would let a
 * live muxer write the audio past the video's last unit, which the caps
 * change at the keyframe then goes back behind (flvmux's "Got backwards
 * dts"). */
void encoded_filler_close (_GstFailoverSrc *self, GstClockTime until);
/* Stops a running encoding and forgets the slates (loop idle or loop
 * thread). */
void encoded_filler_reset (_GstFailoverSrc *self);

} // namespace resilient::gst::failoversrc
