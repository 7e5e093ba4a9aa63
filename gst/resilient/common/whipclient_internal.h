/* gst-resilient: WhipClient's internals shared by its two files
 * (whipclient.cpp, whipcounteroffer.cpp): the debug category, the two
 * small helpers, and the callbacks from webrtcbin threads.
 *
 * webrtcbin notifies (ICE gathering, connection states), hands out local
 * candidates and answers promises on its own threads; each callback holds
 * only a weak reference to the client and hops to the client's loop,
 * where nothing runs once the client is gone or stopped.
 */
#pragma once

#include "common/whipclient.h"

#include <memory>
#include <string>

GST_DEBUG_CATEGORY_EXTERN (whipclient_debug);

namespace resilient::gst {

WhipFailure failure (whip::Severity severity, int http_status,
    std::string stage, std::string reason);
/* `text` parsed as SDP of `type`; null when it does not parse. */
GstWebRTCSessionDescription *description_from (const std::string &text,
    GstWebRTCSDPType type);

/* Callbacks from webrtcbin threads: hop to the loop with a weak ref. */
struct WhipClient::Callbacks
{
  using Weak = std::weak_ptr<WhipClient>;

  static Weak *weak_of (gpointer user_data)
  {
    return static_cast<std::shared_ptr<Weak> *> (user_data)->get ();
  }

  template <typename Fn>
  static void post (const Weak &weak, Fn fn)
  {
    auto self = weak.lock ();
    if (!self)
      return;
    self->loop_.post ([weak, fn] {
      if (auto s = weak.lock ())
        if (!s->stopped_)
          fn (*s);
    });
  }

  static void notify (GObject *, GParamSpec *pspec, gpointer user_data)
  {
    Weak weak = *weak_of (user_data);
    std::string name = pspec->name;
    post (weak, [name] (WhipClient &c) {
      if (name == "ice-gathering-state")
        c.on_gathering_state ();
      else if (name == "connection-state")
        c.on_connection_state ();
      else if (name == "ice-connection-state")
        c.on_ice_connection_state ();
    });
  }

  static void candidate (GstElement *, guint mline, gchar *cand,
      gpointer user_data)
  {
    Weak weak = *weak_of (user_data);
    std::string c = cand ? cand : "";
    post (weak, [c] (WhipClient &cl) {
      if (!c.empty ())
        cl.candidates_.push_back (c);
    });
  }

  static void destroy (gpointer user_data, GClosure *)
  {
    delete static_cast<std::shared_ptr<Weak> *> (user_data);
  }

  /* promise helpers: `fn` gets the reply (may be null) on the loop. The
   * promise handed to webrtcbin carries our reference, dropped here once it
   * is answered (webrtcbin holds its own while it works, and answers every
   * promise, with an error if it is shutting down). Without the unref each
   * promise, its reply (an SDP) and the WhipClient's allocation (held by
   * the weak reference) stayed alive: seven per WHIP session. */
  template <typename Fn>
  static GstPromise *promise (const Weak &weak, Fn fn)
  {
    struct Ctx
    {
      Weak weak;
      Fn fn;
    };
    auto *ctx = new Ctx { weak, fn };
    return gst_promise_new_with_change_func ([] (GstPromise *p,
            gpointer data) {
          auto *c = static_cast<Ctx *> (data);
          const GstStructure *reply = gst_promise_get_reply (p);
          /* Owned by the posted closure: freed with it whether or not it
           * runs (a client already stopped or gone never runs it; the
           * copy, an SDP, leaked then: seen by the ASan gate). */
          std::shared_ptr<GstStructure> copy (
              reply ? gst_structure_copy (reply) : nullptr,
              [] (GstStructure *st) {
                if (st)
                  gst_structure_free (st);
              });
          auto fn2 = c->fn;
          post (c->weak, [copy, fn2] (WhipClient &cl) { fn2 (cl, copy.get ()); });
          gst_promise_unref (p);
        }, ctx, [] (gpointer data) { delete static_cast<Ctx *> (data); });
  }
};

}  // namespace resilient::gst
