/* gst-resilient server side: what reswhepserversink's pads take.
 *
 * A pad takes raw media (encoded once for every viewer) or media already
 * encoded in the codec the viewers are served (parsed and payloaded as it
 * is, no encoder: resilient::server::choose_input). The pad's chain is
 * built before the caps are known, so the pad answers the caps queries
 * itself (raw first, then the served codec; for H264 Constrained Baseline
 * before any other profile, so an encoder upstream picks what every
 * browser decodes) and watches the CAPS events: input of the other kind
 * has its chain rebuilt before the event goes on, input it cannot take is
 * refused with a sentence naming it.
 *
 * Threads: the queries and the CAPS probe run on whatever thread queries
 * or streams (upstream's). `rebuild` is called on that streaming thread
 * and must do the work elsewhere (the element posts it to its loop and
 * waits: no child state change on a streaming thread) before returning.
 */
#pragma once

#include "resilient/core/codec.h"

#include <gst/gst.h>

#include <functional>
#include <string>

namespace resilient::gst::server {

struct SinkInputHooks
{
  bool video = true;
  /* the codec the viewers are served on this pad (any thread) */
  std::function<resilient::Codec ()> served;
  /* whether the pad's chain takes encoded input now (any thread) */
  std::function<bool ()> encoded;
  /* builds the chain for `encoded` input; returns when it is in place */
  std::function<void (bool encoded)> rebuild;
  /* the input cannot be taken: `reason` names it */
  std::function<void (const std::string &reason)> refuse;
};

/* The caps `video`'s pad takes when the viewers are served `served`,
 * preferred first. */
GstCaps *sink_input_caps (bool video, resilient::Codec served);

/* Installs the caps answer and the CAPS watch on `ghost`. */
void sink_input_install (GstPad *ghost, SinkInputHooks hooks);

} // namespace resilient::gst::server
