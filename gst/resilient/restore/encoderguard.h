/* gst-resilient: autorestoresink's guard of a running encoder
 * (encoderguard.cpp).
 *
 * An encoder that fails after it started (an ERROR it posts, or an error
 * or not-negotiated flow return out of its chain) must not stop the
 * front: its flow error would pause the entry queue and reach upstream.
 * The encoder's sink pad chain function is wrapped: an error return is
 * turned into OK (the buffer is dropped) and from then on every buffer is
 * dropped until the loop has swapped the encoder out. The guard is the
 * pad's chain data and goes with the pad; the encoder element carries a
 * pointer to it (qdata) so that its ERROR messages are recognised. Owns
 * the wrapped chain function and whether it tripped.
 */
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <string>

typedef struct _GstAutoRestoreSink GstAutoRestoreSink;

namespace resilient::gst::autorestore {

class EncoderGuard
{
public:
  /* Wraps `enc`'s sink pad chain function (once). */
  static void install (GstAutoRestoreSink *self, GstElement *enc);
  /* The guarded encoder `obj` (a message source) belongs to, and its
   * guard; null when none. */
  static GstElement *of (GstObject *obj, EncoderGuard **guard);
  /* First failure of the guarded encoder: handed to the front on the loop
   * (any thread); later ones are ignored. */
  void trip (GstElement *enc, const std::string &why);

private:
  EncoderGuard (GstAutoRestoreSink *self, GstPadChainFunction chain)
      : self_ (self), chain_ (chain)
  {
  }
  static GQuark quark ();
  static GstFlowReturn guarded_chain (GstPad *pad, GstObject *parent,
                                      GstBuffer *buf);

  GstAutoRestoreSink *self_; /* not reffed: the encoder is ours */
  GstPadChainFunction chain_;
  std::atomic<bool> tripped_{ false };
};

} // namespace resilient::gst::autorestore
