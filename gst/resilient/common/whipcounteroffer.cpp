/* gst-resilient: WhipClient's answer to a WHEP 406 counter-offer
 * (whipclient.h).
 *
 * A WHEP server that cannot take our offer answers 406 with its own offer
 * (valid until a deadline): a fresh webrtcbin answers it, gathering is
 * cut to fit the remaining validity, and the answer goes out in a PATCH;
 * past the deadline the session fails transiently (a new POST gets a new
 * counter-offer). Loop thread.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "common/whipclient.h"
#include "common/whipclient_internal.h"

#include "resilient/whip/sdp.h"

#include <algorithm>

#define GST_CAT_DEFAULT whipclient_debug

namespace resilient::gst {

void
WhipClient::on_counter_offer (const std::string &offer)
{
  GST_INFO_OBJECT (log_, "406 counter-offer: answering from a fresh "
      "webrtcbin");
  if (!hooks_.fresh_webrtcbin) {
    fail (failure (whip::Severity::Fatal, 406, "counter-offer",
        "the server made a counter-offer this element cannot answer"));
    return;
  }
  GstElement *fresh = hooks_.fresh_webrtcbin ();
  if (!fresh) {
    fail (failure (whip::Severity::Fatal, 406, "counter-offer",
        "could not build a webrtcbin for the counter-offer"));
    return;
  }
  local_set_ = false;
  gathering_done_ = false;
  gathering_timed_out_ = false;
  candidates_.clear ();
  loop_.cancel (gathering_timer_);
  connect_signals (fresh);
  configure_webrtcbin (fresh);
  offer_sent_ = offer;  /* the answer check below is done on the offer */
  auto *desc = description_from (offer, GST_WEBRTC_SDP_TYPE_OFFER);
  if (!desc) {
    fail (failure (whip::Severity::Fatal, 406, "counter-offer",
        "the counter-offer does not parse as SDP"));
    return;
  }
  auto weak = std::weak_ptr<WhipClient> (shared_from_this ());
  g_signal_emit_by_name (webrtc_, "set-remote-description", desc,
      Callbacks::promise (weak, [] (WhipClient &c, GstStructure *) {
        auto weak2 = std::weak_ptr<WhipClient> (c.shared_from_this ());
        g_signal_emit_by_name (c.webrtc_, "create-answer", nullptr,
            Callbacks::promise (weak2, [] (WhipClient &c2,
                    GstStructure *reply) {
              GstWebRTCSessionDescription *answer = nullptr;
              if (reply)
                gst_structure_get (reply, "answer",
                    GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &answer, NULL);
              if (!answer) {
                c2.fail (failure (whip::Severity::Fatal, 406, "counter-offer",
                    "webrtcbin could not answer the counter-offer"));
                return;
              }
              auto weak3 = std::weak_ptr<WhipClient> (c2.shared_from_this ());
              g_signal_emit_by_name (c2.webrtc_, "set-local-description",
                  answer, Callbacks::promise (weak3, [] (WhipClient &c3,
                          GstStructure *) { c3.on_local_answer_set (); }));
              gst_webrtc_session_description_free (answer);
            }));
      }));
  gst_webrtc_session_description_free (desc);
}

void
WhipClient::fail_counter_expired ()
{
  fail (failure (whip::Severity::Transient, 406, "counter-offer",
      "the answer to the 406 counter-offer was not ready within its validity ("
      + std::to_string (counter_valid_ms_) + " ms, valid-until); a new POST "
      "gets a new counter-offer"));
}

void
WhipClient::on_local_answer_set ()
{
  local_set_ = true;
  /* Gathering may not eat the counter-offer's validity: what is known goes
   * out with a quarter of the remaining validity to spare for the PATCH. */
  std::int64_t wait_ms = config_.gathering_timeout_ms;
  std::int64_t left_ms = (counter_deadline_us_ - g_get_monotonic_time ())
      / 1000;
  wait_ms = std::max<std::int64_t> (0, std::min (wait_ms, left_ms * 3 / 4));
  gathering_timer_ = schedule_ms ((guint64) wait_ms, [] (WhipClient &c) {
    if (c.gathering_done_)
      return;
    c.gathering_timed_out_ = true;
    c.maybe_patch_answer ();
  });
  on_gathering_state ();
}

void
WhipClient::maybe_patch_answer ()
{
  if (!counter_mode_ || answer_patched_ || !local_set_)
    return;
  if (!gathering_done_ && !gathering_timed_out_)
    return;
  if (g_get_monotonic_time () >= counter_deadline_us_) {
    loop_.cancel (counter_timer_);
    fail_counter_expired ();
    return;
  }
  answer_patched_ = true;
  loop_.cancel (counter_timer_);
  std::string answer = local_sdp ();
  auto problems = whip::check_answer_partial (offer_sent_, answer, "sendonly",
      active_);
  if (!problems.empty ())
    warn ("our answer to the counter-offer: " + problems[0]);
  set_status (WebrtcStatus::Connecting);
  auto weak = std::weak_ptr<WhipClient> (shared_from_this ());
  signalling_.patch_answer (answer, [weak] (WhipSignalling::SimpleResult r) {
    auto c = weak.lock ();
    if (!c || c->stopped_)
      return;
    if (r.verdict.outcome != whip::Outcome::Ok) {
      c->fail (r.verdict, "counter-offer");
      return;
    }
    c->answered_ = true;
    c->on_connection_state ();
  });
  arm_connect_timer (406);
}

}  // namespace resilient::gst
