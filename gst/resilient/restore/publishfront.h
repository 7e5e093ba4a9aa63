/* gst-resilient: autorestoresink's publish front (publishfront.cpp).
 *
 * One front per input stream, in the application's pipeline, never
 * stopped: entry queue -> (videoconvert, encoder) -> parser -> tee ->
 * queue -> appsink, plus the recording's branch off the tee. The chain is
 * built on the loop at the first caps (the caps probe holds the entry
 * queue's thread meanwhile); an encoder failing at start or while running
 * is swapped for the next candidate of the EncoderChain; a destination that
 * cannot carry the codec gets another encoder in the running front;
 * keyframes are asked for a new session. The appsink's samples are
 * restamped to running time and fanned out (under the element's lock) to
 * every session being fed and to the hold queue.
 */
#pragma once

#include "restore/sinkprivate.h"

#include <functional>

namespace resilient::gst::autorestore {

struct EncoderGuard;

/* The sink pads `video` and `audio`. */
extern GstStaticPadTemplate video_template;
extern GstStaticPadTemplate audio_template;

void sync_front_stats (GstAutoRestoreSink *self);
std::string codec_name_of_caps (const GstCaps *caps);
std::string codec_of_factory (const std::string &factory_name);
const char *parser_for_codec (const std::string &codec);
void set_if_exists (GstElement *e, const char *prop, const char *value);
bool publishes_whip (const std::string &locations);
void configure_video_encoder (GstElement *enc, const std::string &factory,
                              guint kbps, guint gop_frames,
                              bool constrained_baseline = false);
void configure_audio_encoder (GstElement *enc, guint kbps);
GstFlowReturn on_new_sample (GstAppSink *sink, gpointer user_data);
void on_appsink_eos (GstAppSink *sink, gpointer user_data);
GQuark encoder_guard_quark (void);
void trip_encoder_guard (EncoderGuard *g, GstElement *enc,
                         const std::string &why);
GstFlowReturn guarded_chain (GstPad *pad, GstObject *parent, GstBuffer *buf);
void guard_encoder (GstAutoRestoreSink *self, GstElement *enc);
GstElement *guarded_encoder_of (GstObject *obj, EncoderGuard **guard);
GstElement *make_element (const char *factory, std::string &error);
bool encoder_available (const EncoderCandidate &c);
GstElement *make_working_video_encoder (GstAutoRestoreSink *self,
                                        GstCaps *in_caps, std::string &factory,
                                        std::string &error);
bool build_front (GstAutoRestoreSink *self, Front &f, GstCaps *caps,
                  std::string &error);
GstPadProbeReturn entry_caps_probe (GstPad *pad, GstPadProbeInfo *info,
                                    gpointer user_data);
void init_front (GstAutoRestoreSink *self, Front &f, bool video);
void teardown_front (GstAutoRestoreSink *self, Front &f);
void request_keyframe (GstAutoRestoreSink *self);
GstPadProbeReturn block_cb (GstPad *pad, GstPadProbeInfo *info,
                            gpointer user_data);
bool replace_video_encoder (GstAutoRestoreSink *self, GstElement *enc,
                            const EncoderCandidate &cand);
std::string
swap_video_codec (GstAutoRestoreSink *self,
                  const std::function<bool (const std::string &)> &accepted,
                  const char *reason);
void on_encoder_failed (GstAutoRestoreSink *self, GstElement *enc,
                        const std::string &why);

} // namespace resilient::gst::autorestore
