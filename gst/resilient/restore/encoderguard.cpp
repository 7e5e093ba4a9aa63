/* gst-resilient: autorestoresink's guard of a running encoder
 * (encoderguard.h) */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "restore/encoderguard.h"

#include "restore/sinkprivate.h"

namespace resilient::gst::autorestore {

GQuark
EncoderGuard::quark ()
{
  static GQuark q = g_quark_from_static_string ("autorestoresink-guard");
  return q;
}

void
EncoderGuard::trip (GstElement *enc, const std::string &why)
{
  if (tripped_.exchange (true))
    return;
  GstAutoRestoreSink *self = self_;
  self->priv->loop.post (
      [keep = SelfRef (self), e = resilient::gst::SelfRef<GstElement> (enc),
       why] { keep.p->priv->front.on_encoder_failed (e.p, why); });
}

GstFlowReturn
EncoderGuard::guarded_chain (GstPad *pad, GstObject *parent, GstBuffer *buf)
{
  auto *g = static_cast<EncoderGuard *> (pad->chaindata);
  if (g->tripped_) {
    gst_buffer_unref (buf);
    return GST_FLOW_OK;
  }
  GstFlowReturn r = g->chain_ (pad, parent, buf);
  if (r <= GST_FLOW_NOT_NEGOTIATED) {
    g->trip (GST_ELEMENT (parent),
             std::string ("flow return '") + gst_flow_get_name (r) + "'");
    return GST_FLOW_OK;
  }
  return r;
}

void
EncoderGuard::install (GstAutoRestoreSink *self, GstElement *enc)
{
  GstPad *pad = gst_element_get_static_pad (enc, "sink");
  if (!pad)
    return;
  if (GST_PAD_CHAINFUNC (pad) && GST_PAD_CHAINFUNC (pad) != guarded_chain) {
    auto *g = new EncoderGuard (self, GST_PAD_CHAINFUNC (pad));
    g_object_set_qdata (G_OBJECT (enc), quark (), g);
    gst_pad_set_chain_function_full (pad, guarded_chain, g, [] (gpointer p) {
      delete static_cast<EncoderGuard *> (p);
    });
  }
  gst_object_unref (pad);
}

GstElement *
EncoderGuard::of (GstObject *obj, EncoderGuard **guard)
{
  for (GstObject *o = obj; o; o = GST_OBJECT_PARENT (o)) {
    if (!GST_IS_ELEMENT (o))
      continue;
    auto *g = static_cast<EncoderGuard *> (
        g_object_get_qdata (G_OBJECT (o), quark ()));
    if (g) {
      *guard = g;
      return GST_ELEMENT (o);
    }
  }
  return nullptr;
}

} // namespace resilient::gst::autorestore
