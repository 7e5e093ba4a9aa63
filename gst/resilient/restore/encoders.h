/* gst-resilient: autorestoresink's encoder and codec helpers
 * (encoders.cpp).
 *
 * Codec names of caps and of encoder factories (over the one codec table,
 * resilient/core/codec.h), the parser of a codec, an encoder's bitrate and
 * keyframe interval in its own units, and whether an element is
 * installed. No state.
 */
#pragma once

#include "resilient/restore/encoder_chain.h"

#include <gst/gst.h>

#include <string>

namespace resilient::gst::autorestore {

std::string codec_name_of_caps (const GstCaps *caps);
std::string codec_of_factory (const std::string &factory_name);
const char *parser_for_codec (const std::string &codec);
void set_if_exists (GstElement *e, const char *prop, const char *value);
bool publishes_whip (const std::string &locations);
void configure_video_encoder (GstElement *enc, const std::string &factory,
                              guint kbps, guint gop_frames,
                              bool constrained_baseline = false);
void configure_audio_encoder (GstElement *enc, guint kbps);
/* `factory`'s element, or null with `error` naming what to install. */
GstElement *make_element (const char *factory, std::string &error);
bool encoder_available (const resilient::restore::EncoderCandidate &c);

} // namespace resilient::gst::autorestore
