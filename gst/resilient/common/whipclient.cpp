#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "common/whipclient.h"

#include "common/iceagent.h"
#include "common/whipclient_internal.h"

#include "common/messages.h"
#include "resilient/whip/sdp.h"
#include "resilient/whip/url.h"

#include <gst/sdp/sdp.h>

#include <algorithm>
#include <future>

GST_DEBUG_CATEGORY (whipclient_debug);
#define GST_CAT_DEFAULT whipclient_debug

namespace resilient::gst {

GType
webrtc_status_get_type ()
{
  static GType type = 0;
  static const GEnumValue values[] = {
    { (gint) WebrtcStatus::Idle, "Not started", "idle" },
    { (gint) WebrtcStatus::Signalling, "HTTP signalling in progress",
      "signalling" },
    { (gint) WebrtcStatus::Connecting, "ICE and DTLS in progress",
      "connecting" },
    { (gint) WebrtcStatus::Connected, "Connected, media flowing",
      "connected" },
    { (gint) WebrtcStatus::Failed, "Failed", "failed" },
    { (gint) WebrtcStatus::Stopped, "Stopped", "stopped" },
    { 0, nullptr, nullptr },
  };
  return register_enum_once (&type, "GstResWebrtcStatus", values);
}

static void
ensure_category ()
{
  static gsize once = 0;
  if (g_once_init_enter (&once)) {
    GST_DEBUG_CATEGORY_INIT (whipclient_debug, "reswhipclient", 0,
        "gst-resilient WHIP/WHEP session");
    g_once_init_leave (&once, 1);
  }
}

WhipClient::WhipClient (ControlLoop &loop, GstObject *log_object,
    WhipClientConfig config, Hooks hooks)
  : loop_ (loop), log_ (log_object), config_ (std::move (config)),
    hooks_ (std::move (hooks)), http_ (loop, log_object),
    signalling_ (http_, SignallingConfig { config_.protocol, config_.endpoint,
          config_.request_timeout_ms, config_.max_redirects }),
    watchdog_ (config_.media_timeout_ms, (bool) hooks_.media_progress)
{
  ensure_category ();
  http_.set_token (config_.token);
}

WhipClient::~WhipClient ()
{
  disconnect_signals ();
}

std::string
WhipClient::session_url () const
{
  return redact_uri (signalling_.session_url ());
}

/* Timers run on the element's clock (the pipeline clock once the pipeline
 * has distributed one: a GstTestClock in tests), else on the system clock
 * (READY to PAUSED, before a clock is selected). A reference. */
static GstClock *
timer_clock (GstObject *obj)
{
  GstClock *clock = GST_IS_ELEMENT (obj) ?
      gst_element_get_clock (GST_ELEMENT (obj)) : nullptr;
  return clock ? clock : gst_system_clock_obtain ();
}

WhipFailure
failure (whip::Severity severity, int http_status, std::string stage,
    std::string reason)
{
  WhipFailure f;
  f.severity = severity;
  f.http_status = http_status;
  f.stage = std::move (stage);
  f.reason = std::move (reason);
  return f;
}

std::int64_t
WhipClient::since_start () const
{
  return (g_get_monotonic_time () - started_us_) / 1000;
}

WhipSnapshot
WhipClient::snapshot () const
{
  std::lock_guard<std::mutex> g (snap_lock_);
  return snap_;
}

void
WhipClient::publish_snapshot ()
{
  WhipSnapshot s;
  s.timings = timings_;
  s.http_status = http_status_;
  s.redirects = redirects_;
  s.session_url = session_url ();
  s.trickle_candidates = trickle_sent_;
  s.rtcp_acks = watchdog_.rtcp_acks ();
  s.warning = warning_;
  std::lock_guard<std::mutex> g (snap_lock_);
  snap_ = std::move (s);
}

void
WhipClient::set_status (WebrtcStatus s)
{
  publish_snapshot ();
  if (status_ == s)
    return;
  status_ = s;
  if (hooks_.on_status)
    hooks_.on_status (s);
}

void
WhipClient::warn (const std::string &w)
{
  GST_WARNING_OBJECT (log_, "%s", w.c_str ());
  warning_ = w;
  publish_snapshot ();
  if (hooks_.on_warning)
    hooks_.on_warning (w);
}

void
WhipClient::fail (WhipFailure f)
{
  if (stopped_ || status_ == WebrtcStatus::Failed)
    return;
  loop_.cancel (gathering_timer_);
  loop_.cancel (connect_timer_);
  loop_.cancel (watchdog_timer_);
  loop_.cancel (counter_timer_);
  if (signalling_.has_session () && config_.delete_timeout_ms > 0) {
    /* the session is abandoned: free it on the server, without waiting */
    auto *obj = log_;
    signalling_.teardown (config_.delete_timeout_ms, [obj] (
            WhipSignalling::SimpleResult r) {
      GST_INFO_OBJECT (obj, "DELETE of the abandoned session: %s",
          r.verdict.message.c_str ());
    });
  }
  GST_WARNING_OBJECT (log_, "%s failure at %s (HTTP %d): %s",
      whip::severity_name (f.severity), f.stage.c_str (), f.http_status,
      f.reason.c_str ());
  set_status (WebrtcStatus::Failed);
  if (hooks_.on_failure)
    hooks_.on_failure (f);
}

void
WhipClient::fail (const whip::Verdict &v, const std::string &stage)
{
  WhipFailure f;
  f.severity = v.severity == whip::Severity::None ? whip::Severity::Transient :
      v.severity;
  f.http_status = v.status;
  f.stage = stage;
  f.reason = v.message;
  f.problem_title = v.problem_title;
  f.problem_detail = v.problem_detail;
  if (v.retry_after)
    f.retry_after_ms = to_ms (*v.retry_after);
  fail (std::move (f));
}

static bool
is_loopback_host (const std::string &url)
{
  auto p = whip::split_url (url);
  std::string host = p.authority.substr (p.authority.rfind ('@') + 1);
  if (!host.empty () && host[0] == '[')
    return host.rfind ("[::1]", 0) == 0;
  host = host.substr (0, host.find (':'));
  return host == "localhost" || host.rfind ("127.", 0) == 0;
}

void
WhipClient::configure_webrtcbin (GstElement *webrtc)
{
  g_object_set (webrtc, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE,
      NULL);
  configure_ice_agent (webrtc, is_loopback_host (config_.endpoint));
  std::string stun = config_.stun_server;
  std::vector<std::string> turns = config_.turn_servers;
  std::vector<whip::IceServer> servers = link_servers_;
  servers.insert (servers.end (), config_.remembered_ice_servers.begin (),
      config_.remembered_ice_servers.end ());
  for (auto &s : servers) {
    auto url = whip::webrtcbin_ice_url (s);
    if (!url)
      continue;
    if (whip::is_stun_url (s.url)) {
      if (stun.empty ())
        stun = *url;
    } else if (std::find (turns.begin (), turns.end (), *url)
        == turns.end ()) {
      turns.push_back (*url);
    }
  }
  if (!stun.empty ())
    g_object_set (webrtc, "stun-server", stun.c_str (), NULL);
  if (config_.relay_only)
    g_object_set (webrtc, "ice-transport-policy",
        GST_WEBRTC_ICE_TRANSPORT_POLICY_RELAY, NULL);
  for (auto &t : turns) {
    gboolean ok = FALSE;
    g_signal_emit_by_name (webrtc, "add-turn-server", t.c_str (), &ok);
    if (!ok)
      GST_WARNING_OBJECT (log_, "webrtcbin refused a TURN server (%s)",
          redact_uri (t).c_str ());
  }
  GST_DEBUG_OBJECT (log_, "ICE: %s STUN, %zu TURN server(s)",
      stun.empty () ? "no" : "one", turns.size ());
}

void
WhipClient::connect_signals (GstElement *webrtc)
{
  disconnect_signals ();
  if (webrtc_)
    gst_object_unref (webrtc_);
  webrtc_ = GST_ELEMENT (gst_object_ref (webrtc));
  auto weak = std::weak_ptr<WhipClient> (shared_from_this ());
  auto connect = [&] (const char *sig, GCallback cb) {
    auto *ud = new std::shared_ptr<Callbacks::Weak> (
        std::make_shared<Callbacks::Weak> (weak));
    handlers_.push_back (g_signal_connect_data (webrtc_, sig, cb, ud,
            Callbacks::destroy, (GConnectFlags) 0));
  };
  connect ("notify::ice-gathering-state", G_CALLBACK (Callbacks::notify));
  connect ("notify::connection-state", G_CALLBACK (Callbacks::notify));
  connect ("notify::ice-connection-state", G_CALLBACK (Callbacks::notify));
  connect ("on-ice-candidate", G_CALLBACK (Callbacks::candidate));
}

void
WhipClient::disconnect_signals ()
{
  if (!webrtc_)
    return;
  for (auto h : handlers_)
    g_signal_handler_disconnect (webrtc_, h);
  handlers_.clear ();
}

void
WhipClient::start (GstElement *webrtc)
{
  started_us_ = g_get_monotonic_time ();
  set_status (WebrtcStatus::Signalling);
  connect_signals (webrtc);
  if (!config_.use_link_ice_servers) {
    configure_webrtcbin (webrtc_);
    create_offer ();
    return;
  }
  /* ICE servers must be on webrtcbin before gathering: OPTIONS first */
  auto weak = std::weak_ptr<WhipClient> (shared_from_this ());
  signalling_.discover_ice_servers ([weak] (std::vector<whip::IceServer> s,
          whip::Verdict v) {
    auto self = weak.lock ();
    if (!self || self->stopped_)
      return;
    if (v.outcome != whip::Outcome::Ok)
      GST_INFO_OBJECT (self->log_, "OPTIONS: %s", v.message.c_str ());
    self->link_servers_ = std::move (s);
    self->configure_webrtcbin (self->webrtc_);
    self->create_offer ();
  });
}

void
WhipClient::create_offer ()
{
  auto weak = std::weak_ptr<WhipClient> (shared_from_this ());
  g_signal_emit_by_name (webrtc_, "create-offer", nullptr,
      Callbacks::promise (weak, [] (WhipClient &c, GstStructure *reply) {
        GstWebRTCSessionDescription *offer = nullptr;
        if (reply)
          gst_structure_get (reply, "offer",
              GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &offer, NULL);
        if (!offer) {
          c.fail (failure (whip::Severity::Fatal, 0, "offer",
              "webrtcbin made no offer (no media linked, or no codec it can "
              "negotiate)"));
          return;
        }
        c.on_offer_created (offer);
        gst_webrtc_session_description_free (offer);
      }));
}

void
WhipClient::on_offer_created (GstWebRTCSessionDescription *offer)
{
  auto weak = std::weak_ptr<WhipClient> (shared_from_this ());
  g_signal_emit_by_name (webrtc_, "set-local-description", offer,
      Callbacks::promise (weak, [] (WhipClient &c, GstStructure *) {
        c.on_local_offer_set ();
      }));
}

void
WhipClient::on_local_offer_set ()
{
  local_set_ = true;
  timings_.offer_ms = since_start ();
  publish_snapshot ();
  if (hooks_.on_local_offer)
    hooks_.on_local_offer (local_sdp ());
  /* gathering runs now; bounded */
  gathering_timer_ = schedule_ms (config_.gathering_timeout_ms,
      [] (WhipClient &c) {
        if (c.gathering_done_)
          return;
        GST_INFO_OBJECT (c.log_, "ICE gathering not complete after %u ms, "
            "going on with %zu candidate(s)", c.config_.gathering_timeout_ms,
            c.candidates_.size ());
        c.gathering_timed_out_ = true;
        c.maybe_post ();
        c.maybe_trickle ();
        c.maybe_patch_answer ();
      });
  on_gathering_state ();
  maybe_post ();
}

void
WhipClient::on_gathering_state ()
{
  if (!webrtc_)
    return;
  GstWebRTCICEGatheringState st;
  g_object_get (webrtc_, "ice-gathering-state", &st, NULL);
  if (st != GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE || !local_set_)
    return;
  if (!gathering_done_)
    GST_DEBUG_OBJECT (log_, "ICE gathering complete at %" G_GINT64_FORMAT
        " ms, %zu candidate(s)", since_start (), candidates_.size ());
  gathering_done_ = true;
  loop_.cancel (gathering_timer_);
  maybe_post ();
  maybe_trickle ();
  maybe_patch_answer ();
}

std::string
WhipClient::local_sdp () const
{
  GstWebRTCSessionDescription *desc = nullptr;
  g_object_get (webrtc_, "local-description", &desc, NULL);
  if (!desc)
    return {};
  gchar *t = gst_sdp_message_as_text (desc->sdp);
  std::string out (t ? t : "");
  g_free (t);
  gst_webrtc_session_description_free (desc);
  return out;
}

void
WhipClient::maybe_post ()
{
  if (posted_ || !local_set_ || counter_mode_)
    return;
  if (!config_.trickle && !gathering_done_ && !gathering_timed_out_)
    return;
  post ();
}

void
WhipClient::post ()
{
  posted_ = true;
  std::string sdp = local_sdp ();
  if (config_.trickle)
    sdp = whip::strip_candidates (sdp);
  whip::OfferFixups fx;
  fx.add_msid = config_.protocol == whip::Protocol::Whip;
  fx.stream_id = config_.stream_id;
  fx.h264_constrained_baseline = config_.protocol == whip::Protocol::Whip;
  /* A WHIP publisher's payloaders write the MID header extension and
   * webrtcbin lists it from their caps; advertising it when it is not
   * written would make a MID-routing receiver drop the stream. */
  fx.add_mid_extmap = config_.protocol == whip::Protocol::Whep;
  auto fixed = whip::fix_offer (sdp, fx);
  if (!fixed) {
    fail (failure (whip::Severity::Fatal, 0, "offer",
        "webrtcbin's local description is not SDP"));
    return;
  }
  for (auto &p : whip::routing_problems (*fixed))
    GST_WARNING_OBJECT (log_, "offer: %s", p.c_str ());
  offer_sent_ = *fixed;
  timings_.post_sent_ms = since_start ();
  publish_snapshot ();
  GST_DEBUG_OBJECT (log_, "POST offer (%zu bytes, %s)", offer_sent_.size (),
      config_.trickle ? "trickle" : "with candidates");
  auto weak = std::weak_ptr<WhipClient> (shared_from_this ());
  signalling_.post_offer (offer_sent_, [weak] (WhipSignalling::PostResult r) {
    if (auto c = weak.lock ())
      if (!c->stopped_)
        c->on_post_result (std::move (r));
  });
}

void
WhipClient::on_post_result (WhipSignalling::PostResult r)
{
  timings_.answer_ms = since_start ();
  timings_.http_ms = r.elapsed_ms;
  http_status_ = r.verdict.status;
  redirects_ = r.redirects;
  publish_snapshot ();
  using whip::Outcome;
  switch (r.verdict.outcome) {
    case Outcome::Ok:
    case Outcome::OkLegacy:
      if (r.verdict.warning)
        warn (r.verdict.message);
      if (!r.ice_servers.empty ())
        GST_INFO_OBJECT (log_, "the answer announces %zu ICE server(s); "
            "webrtcbin only takes them before gathering: kept for the next "
            "session", r.ice_servers.size ());
      answer_servers_ = r.ice_servers;
      answered_ = true;
      apply_answer (r.sdp);
      return;
    case Outcome::CounterOffer:{
      counter_mode_ = true;
      /* The answer must reach the server before the counter-offer's
       * valid-until; after it the server has dropped it. */
      Duration valid = r.verdict.valid_for.value_or (
          whip::kCounterOfferValidity);
      std::int64_t valid_ms = to_ms (valid);
      counter_valid_ms_ = valid_ms;
      counter_deadline_us_ = g_get_monotonic_time () + valid_ms * 1000;
      if (valid_ms <= 0) {
        fail (failure (whip::Severity::Transient, 406, "counter-offer",
            "the 406 counter-offer had expired when it arrived (valid-until "
            "in the past; check the server's clock); a new POST gets a new "
            "one"));
        return;
      }
      GST_INFO_OBJECT (log_, "the counter-offer is valid for %" G_GINT64_FORMAT
          " ms", (gint64) valid_ms);
      counter_timer_ = schedule_ms ((guint64) valid_ms, [] (WhipClient &c) {
        if (!c.answer_patched_)
          c.fail_counter_expired ();
      });
      on_counter_offer (r.sdp);
      return;
    }
    default:
      fail (r.verdict, "post");
      return;
  }
}

GstWebRTCSessionDescription *
description_from (const std::string &text, GstWebRTCSDPType type)
{
  GstSDPMessage *sdp = nullptr;
  if (gst_sdp_message_new_from_text (text.c_str (), &sdp) != GST_SDP_OK
      || !sdp)
    return nullptr;
  return gst_webrtc_session_description_new (type, sdp);
}

void
WhipClient::apply_answer (const std::string &sdp)
{
  std::vector<std::string> problems;
  if (config_.protocol == whip::Protocol::Whip) {
    problems = whip::check_answer (offer_sent_, sdp, "sendonly");
    if (auto parsed = whip::Sdp::parse (sdp))
      for (auto &m : parsed->media)
        active_.push_back (m.kind ());
  } else {
    problems = whip::check_answer_partial (offer_sent_, sdp, "recvonly",
        active_);
  }
  if (!problems.empty ()) {
    WhipFailure f;
    f.severity = whip::Severity::Fatal;
    f.http_status = http_status_;
    f.stage = "answer";
    f.reason = "unusable answer: " + problems[0];
    for (std::size_t i = 1; i < problems.size (); i++)
      f.reason += "; " + problems[i];
    fail (f);
    return;
  }
  auto *desc = description_from (sdp, GST_WEBRTC_SDP_TYPE_ANSWER);
  if (!desc) {
    fail (failure (whip::Severity::Fatal, http_status_, "answer",
        "the answer does not parse as SDP"));
    return;
  }
  set_status (WebrtcStatus::Connecting);
  auto weak = std::weak_ptr<WhipClient> (shared_from_this ());
  g_signal_emit_by_name (webrtc_, "set-remote-description", desc,
      Callbacks::promise (weak, [] (WhipClient &c, GstStructure *reply) {
        GError *err = nullptr;
        if (reply && gst_structure_has_field (reply, "error"))
          gst_structure_get (reply, "error", G_TYPE_ERROR, &err, NULL);
        if (err) {
          WhipFailure f;
          f.severity = whip::Severity::Fatal;
          f.http_status = c.http_status_;
          f.stage = "answer";
          f.reason = std::string ("webrtcbin refused the answer: ")
              + err->message;
          g_error_free (err);
          c.fail (f);
          return;
        }
        c.on_connection_state ();
        c.maybe_trickle ();
      }));
  gst_webrtc_session_description_free (desc);
  arm_connect_timer (std::nullopt);
}

/* One aggregated PATCH once the 201 is in and gathering is complete; when
 * gathering-timeout passed first, what is known goes out then, and the rest
 * with a=end-of-candidates when gathering completes. */
void
WhipClient::maybe_trickle ()
{
  if (!config_.trickle || trickle_stopped_ || end_sent_ || patch_in_flight_
      || !answered_ || counter_mode_)
    return;
  if (!gathering_done_ && !gathering_timed_out_)
    return;
  if (patches_sent_ > 0 && !gathering_done_)
    return;   /* the rest waits for the end of gathering */
  auto target = whip::trickle_target (local_sdp ());
  if (!target) {
    trickle_stopped_ = true;
    warn ("no ICE credentials in the local description: not trickling");
    return;
  }
  std::vector<std::string> fresh (candidates_.begin () + trickle_sent_,
      candidates_.end ());
  std::string frag = whip::build_sdpfrag (*target, fresh, gathering_done_);
  trickle_sent_ = (int) candidates_.size ();
  end_sent_ = gathering_done_;
  patches_sent_++;
  publish_snapshot ();
  patch_in_flight_ = true;
  auto weak = std::weak_ptr<WhipClient> (shared_from_this ());
  signalling_.patch_trickle (frag, [weak] (WhipSignalling::SimpleResult r) {
    auto c = weak.lock ();
    if (!c || c->stopped_)
      return;
    c->patch_in_flight_ = false;
    using whip::Outcome;
    switch (r.verdict.outcome) {
      case Outcome::Ok:
        GST_DEBUG_OBJECT (c->log_, "trickle PATCH accepted");
        c->maybe_trickle ();
        break;
      case Outcome::SessionGone:
      case Outcome::AuthFailed:
        c->fail (r.verdict, "trickle");
        break;
      default:
        /* 405/415/422/501, ETag trouble, network: the session goes on
         * without trickling */
        c->trickle_stopped_ = true;
        c->warn (r.verdict.message);
        break;
    }
  });
}

void
WhipClient::arm_connect_timer (std::optional<int> http_status)
{
  connect_timer_ = schedule_ms (config_.connect_timeout_ms,
      [http_status] (WhipClient &c) {
        if (c.status_ != WebrtcStatus::Connecting)
          return;
        c.fail (failure (whip::Severity::Transient,
            http_status.value_or (c.http_status_), "connect-timeout",
            "ICE/DTLS not connected " + std::to_string (
                c.config_.connect_timeout_ms) + " ms after the answer"));
      });
}

void
WhipClient::on_ice_connection_state ()
{
  if (!webrtc_)
    return;
  GstWebRTCICEConnectionState st;
  g_object_get (webrtc_, "ice-connection-state", &st, NULL);
  if ((st == GST_WEBRTC_ICE_CONNECTION_STATE_CONNECTED
          || st == GST_WEBRTC_ICE_CONNECTION_STATE_COMPLETED)
      && timings_.ice_connected_ms < 0) {
    timings_.ice_connected_ms = since_start ();
    publish_snapshot ();
  }
  if (st == GST_WEBRTC_ICE_CONNECTION_STATE_FAILED) {
    fail (failure (whip::Severity::Transient, http_status_, "ice",
        "ICE failed: no candidate pair works"));
  }
}

void
WhipClient::on_connection_state ()
{
  if (!webrtc_ || status_ == WebrtcStatus::Failed)
    return;
  GstWebRTCPeerConnectionState st;
  g_object_get (webrtc_, "connection-state", &st, NULL);
  switch (st) {
    case GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED:
      if (status_ == WebrtcStatus::Connected || !answered_)
        return;
      loop_.cancel (connect_timer_);
      timings_.connected_ms = since_start ();
      if (timings_.ice_connected_ms < 0)
        timings_.ice_connected_ms = timings_.connected_ms;
      set_status (WebrtcStatus::Connected);
      GST_INFO_OBJECT (log_, "connected %" G_GINT64_FORMAT " ms after start",
          timings_.connected_ms);
      arm_watchdog ();
      if (hooks_.on_connected)
        hooks_.on_connected ();
      break;
    case GST_WEBRTC_PEER_CONNECTION_STATE_FAILED: {
      fail (failure (whip::Severity::Transient, http_status_,
          timings_.ice_connected_ms >= 0 ? "dtls" : "ice",
          status_ == WebrtcStatus::Connected ?
          "the peer connection failed (connection lost)" :
          "the peer connection failed before connecting"));
      break;
    }
    case GST_WEBRTC_PEER_CONNECTION_STATE_DISCONNECTED:
      GST_INFO_OBJECT (log_, "peer connection disconnected");
      break;
    default:
      break;
  }
}

void
WhipClient::arm_watchdog ()
{
  if (!watchdog_.enabled ())
    return;
  watchdog_.arm (g_get_monotonic_time ());
  arm_watchdog_next ();
}

void
WhipClient::watchdog_tick ()
{
  if (status_ != WebrtcStatus::Connected)
    return;
  if (hooks_.media_progress) {
    std::uint64_t p = hooks_.media_progress ();
    on_progress (p, p > 0);
  } else if (webrtc_) {
    auto weak = std::weak_ptr<WhipClient> (shared_from_this ());
    g_signal_emit_by_name (webrtc_, "get-stats", nullptr,
        Callbacks::promise (weak, [] (WhipClient &c, GstStructure *reply) {
          std::uint64_t sum = 0;
          std::int64_t sent = 0;
          bool valid = reply
              && WhipMediaWatchdog::rr_progress (reply, sum, sent);
          c.on_progress (sum, valid, reply ? sent : -1);
        }));
    /* the next tick is scheduled by on_progress */
    return;
  }
}

void
WhipClient::on_progress (std::uint64_t progress, bool valid,
    std::int64_t sent)
{
  if (stopped_ || status_ != WebrtcStatus::Connected)
    return;
  GST_LOG_OBJECT (log_, "media progress %" G_GUINT64_FORMAT " (%s)", progress,
      valid ? "valid" : "none yet");
  auto r = watchdog_.observe (progress, valid, sent, g_get_monotonic_time ());
  if (r.acked)
    publish_snapshot ();
  if (r.feed_stalled)
    GST_LOG_OBJECT (log_, "no RTP sent since the last acknowledgement");
  if (r.timeout) {
    fail (failure (whip::Severity::Transient, http_status_, "media-timeout",
        *r.timeout));
    return;
  }
  arm_watchdog_next ();
}

void
WhipClient::arm_watchdog_next ()
{
  watchdog_timer_ = schedule_ms (watchdog_.period_ms (), [] (WhipClient &c) {
    c.watchdog_tick ();
  });
}

ControlLoop::TimerId
WhipClient::schedule_ms (guint64 delay_ms,
    std::function<void (WhipClient &)> fn)
{
  auto weak = std::weak_ptr<WhipClient> (shared_from_this ());
  GstClock *clock = timer_clock (log_);
  auto id = loop_.schedule_in (clock, delay_ms * GST_MSECOND,
      [weak, fn = std::move (fn)] {
        auto c = weak.lock ();
        if (c && !c->stopped_)
          fn (*c);
      });
  gst_object_unref (clock);
  return id;
}

void
WhipClient::stop (unsigned delete_timeout_ms)
{
  auto self = shared_from_this ();
  auto done = std::make_shared<std::promise<void>> ();
  auto fut = done->get_future ();
  bool posted = loop_.post_and_wait ([self, done, delete_timeout_ms] {
    self->stopped_ = true;
    self->loop_.cancel (self->gathering_timer_);
    self->loop_.cancel (self->connect_timer_);
    self->loop_.cancel (self->watchdog_timer_);
    self->loop_.cancel (self->counter_timer_);
    self->disconnect_signals ();
    if (!self->signalling_.has_session ()) {
      done->set_value ();
      return;
    }
    auto *obj = self->log_;
    self->signalling_.teardown (delete_timeout_ms, [done, obj] (
            WhipSignalling::SimpleResult r) {
      GST_INFO_OBJECT (obj, "DELETE: %s", r.verdict.message.c_str ());
      done->set_value ();
    });
  });
  if (posted)
    fut.wait_for (std::chrono::milliseconds (delete_timeout_ms + 500));
  http_.shutdown ();
  if (status_ != WebrtcStatus::Failed)
    status_ = WebrtcStatus::Stopped;
  if (webrtc_) {
    gst_object_unref (webrtc_);
    webrtc_ = nullptr;
  }
}

}  // namespace resilient::gst
