/* gst-resilient server side: a WHEP viewer's direct send path. */
#include "server/directsend.h"

#include "common/binsearch.h"
#include "resilient/server/senderreport.h"

#include <nice/agent.h>

#include <cstring>
#include <utility>
#include <vector>

GST_DEBUG_CATEGORY_EXTERN (res_whep_server_sink_debug);
#define GST_CAT_DEFAULT res_whep_server_sink_debug

namespace resilient::gst::server {

namespace srv = resilient::server;

/* srtpenc's GstSrtpCipherType and GstSrtpAuthType values */
constexpr int SRTP_CIPHER_AES_128_ICM = 1;
constexpr int SRTP_CIPHER_AES_256_ICM = 2;
constexpr int SRTP_AUTH_HMAC_SHA1_32 = 1;
constexpr int SRTP_AUTH_HMAC_SHA1_80 = 2;
/* a packet this size or smaller is protected on the stack (the payloaders
 * write 1200-byte packets) */
constexpr std::size_t STACK_PACKET = 1500;

struct DirectSend::Stream
{
  srv::SrtpIndex index;
  std::uint32_t packets = 0; /* all sent, by webrtcbin or directly */
  std::uint32_t octets = 0;  /* their payload octets (with the SRTP
                                trailers of webrtcbin's packets) */
  std::uint32_t by_webrtcbin = 0; /* of them webrtcbin's (each with a
                                     trailer), read at its ICE sink */
  bool direct = false;       /* the last packets went directly */
  int clock_rate = 0;
  std::uint32_t last_rtp = 0;        /* of the last direct packet */
  GstClockTime last_pts = GST_CLOCK_TIME_NONE; /* its running time */
};

/* srtpenc's RTCP sink pad (the compounds webrtcbin's RTP session sends,
 * before encryption), a ref */
static GstPad *
rtcp_sink_of (GstElement *srtpenc)
{
  GstPad *found = nullptr;
  GstIterator *it = gst_element_iterate_sink_pads (srtpenc);
  GValue item = G_VALUE_INIT;
  while (!found && gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
    auto *pad = GST_PAD (g_value_get_object (&item));
    if (g_str_has_prefix (GST_OBJECT_NAME (pad), "rtcp_sink"))
      found = GST_PAD (gst_object_ref (pad));
    g_value_reset (&item);
  }
  g_value_unset (&item);
  gst_iterator_free (it);
  return found;
}

DirectSend::DirectSend (GstElement *webrtc) : webrtc_ (webrtc)
{
  int srtp = 0, ice = 0;
  srtpenc_ = find_by_factory (GST_BIN (webrtc), "srtpenc", &srtp);
  nicesink_ = find_by_factory (GST_BIN (webrtc), "nicesink", &ice);
  if (srtp != 1 || ice != 1) {
    for (GstElement **e : { &srtpenc_, &nicesink_ })
      if (*e)
        gst_object_unref (std::exchange (*e, nullptr));
    why_ = "webrtcbin has " + std::to_string (srtp) + " SRTP encoders and "
           + std::to_string (ice) + " ICE sinks, not one of each";
    return;
  }
  ice_pad_ = gst_element_get_static_pad (nicesink_, "sink");
  rtcp_pad_ = rtcp_sink_of (srtpenc_);
  if (!rtcp_pad_)
    why_ = "webrtcbin's SRTP encoder has no RTCP input";
}

using Weak = std::weak_ptr<DirectSend>;

static void
free_weak (gpointer p)
{
  delete static_cast<Weak *> (p);
}

std::shared_ptr<DirectSend>
DirectSend::attach (GstElement *webrtc)
{
  std::shared_ptr<DirectSend> d (new DirectSend (webrtc));
  if (d->usable ())
    d->add_probes ();
  return d;
}

void
DirectSend::add_probes ()
{
  ice_probe_ = gst_pad_add_probe (
      ice_pad_,
      GstPadProbeType (GST_PAD_PROBE_TYPE_BUFFER
                       | GST_PAD_PROBE_TYPE_BUFFER_LIST),
      on_ice_sink, new Weak (weak_from_this ()), free_weak);
  rtcp_probe_ = gst_pad_add_probe (rtcp_pad_, GST_PAD_PROBE_TYPE_BUFFER,
                                   on_rtcp_out, new Weak (weak_from_this ()),
                                   free_weak);
}

DirectSend::~DirectSend ()
{
  /* a probe running now holds a strong reference, so this runs after it
   * (perhaps inside it, as its last owner) */
  if (ice_probe_)
    gst_pad_remove_probe (ice_pad_, ice_probe_);
  if (rtcp_probe_)
    gst_pad_remove_probe (rtcp_pad_, rtcp_probe_);
  for (GstPad *p : { ice_pad_, rtcp_pad_ })
    if (p)
      gst_object_unref (p);
  for (GstElement *e : { srtpenc_, nicesink_ })
    if (e)
      gst_object_unref (e);
  if (agent_)
    g_object_unref (agent_);
}

bool
DirectSend::prepare ()
{
  if (!usable () || phase (true) != WAITING || phase (false) != WAITING)
    return false;
  GstBuffer *key = nullptr;
  int cipher = 0, auth = 0;
  g_object_get (srtpenc_, "key", &key, "rtp-cipher", &cipher, "rtp-auth",
                &auth, NULL);
  if (!key)
    return false; /* DTLS has not given it yet */
  srv::SrtpCipher c = srv::SrtpCipher::Aes128Cm;
  if (cipher == SRTP_CIPHER_AES_256_ICM)
    c = srv::SrtpCipher::Aes256Cm;
  else if (cipher != SRTP_CIPHER_AES_128_ICM)
    why_ = "SRTP cipher " + std::to_string (cipher) + " is not AES-CM";
  std::size_t tag = auth == SRTP_AUTH_HMAC_SHA1_80   ? 10
                    : auth == SRTP_AUTH_HMAC_SHA1_32 ? 4
                                                     : 0;
  if (!tag)
    why_ = "SRTP authentication " + std::to_string (auth)
           + " is not HMAC-SHA1";
  GstMapInfo m;
  if (why_.empty () && gst_buffer_map (key, &m, GST_MAP_READ)) {
    for (auto &s : sender_)
      s = srv::SrtpSender::create (c, m.data, m.size, tag, why_);
    gst_buffer_unmap (key, &m);
  }
  gst_buffer_unref (key);
  if (!why_.empty ())
    return false;
  tag_.store (tag);
  g_object_get (nicesink_, "agent", &agent_, "stream", &stream_id_,
                "component", &component_id_, NULL);
  if (!agent_) {
    why_ = "webrtcbin's ICE sink has no agent";
    return false;
  }
  for (auto &p : phase_)
    p.store (READY, std::memory_order_release);
  return true;
}

bool
DirectSend::activate (bool video, GstBuffer *next)
{
  std::optional<srv::RtpHeader> rtp;
  GstMapInfo m;
  if (gst_buffer_map (next, &m, GST_MAP_READ)) {
    rtp = srv::rtp_header (m.data, m.size);
    gst_buffer_unmap (next, &m);
  }
  if (!rtp)
    return false;
  {
    std::lock_guard<std::mutex> g (lock_);
    auto it = streams_.find (rtp->ssrc);
    if (it == streams_.end () || it->second->by_webrtcbin == 0)
      return false;
  }
  int ready = READY;
  auto &p = phase_[video ? 0 : 1];
  return p.compare_exchange_strong (ready, ACTIVE, std::memory_order_acq_rel)
         || ready == ACTIVE;
}

void
DirectSend::observe (const std::uint8_t *d, std::size_t len)
{
  auto rtp = srv::rtp_header (d, len);
  if (!rtp)
    return;
  std::lock_guard<std::mutex> g (lock_);
  auto &s = streams_[rtp->ssrc];
  if (!s)
    s = std::make_unique<Stream> ();
  s->index.next (rtp->seq);
  s->packets++;
  s->octets += std::uint32_t (len - rtp->payload);
  s->by_webrtcbin++;
}

/* webrtcbin's streaming thread: what it sends to the viewer's ICE socket */
GstPadProbeReturn
DirectSend::on_ice_sink (GstPad *, GstPadProbeInfo *info, gpointer data)
{
  std::shared_ptr<DirectSend> self = static_cast<Weak *> (data)->lock ();
  if (!self)
    return GST_PAD_PROBE_OK;
  auto look = [&self] (GstBuffer *b) {
    GstMapInfo m;
    if (gst_buffer_map (b, &m, GST_MAP_READ)) {
      self->observe (m.data, m.size);
      gst_buffer_unmap (b, &m);
    }
  };
  if (GST_PAD_PROBE_INFO_TYPE (info) & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    GstBufferList *l = GST_PAD_PROBE_INFO_BUFFER_LIST (info);
    for (guint i = 0; i < gst_buffer_list_length (l); i++)
      look (gst_buffer_list_get (l, i));
  } else {
    look (GST_PAD_PROBE_INFO_BUFFER (info));
  }
  return GST_PAD_PROBE_OK;
}

void
DirectSend::send (bool video, GstBuffer *packet)
{
  GstMapInfo m;
  if (!gst_buffer_map (packet, &m, GST_MAP_READ)) {
    dropped_++;
    return;
  }
  std::uint8_t stack[STACK_PACKET + srv::SrtpSender::MAX_TRAILER];
  std::vector<std::uint8_t> heap;
  std::uint8_t *d = stack;
  std::size_t cap = sizeof stack;
  if (m.size > STACK_PACKET) {
    heap.resize (m.size + srv::SrtpSender::MAX_TRAILER);
    d = heap.data ();
    cap = heap.size ();
  }
  std::memcpy (d, m.data, m.size);
  const std::size_t len = m.size;
  gst_buffer_unmap (packet, &m);
  auto rtp = srv::rtp_header (d, len);
  if (!rtp) {
    dropped_++;
    return;
  }
  std::uint64_t index;
  {
    std::lock_guard<std::mutex> g (lock_);
    auto &s = streams_[rtp->ssrc];
    if (!s)
      s = std::make_unique<Stream> ();
    index = s->index.next (rtp->seq);
    s->packets++;
    s->octets += std::uint32_t (len - rtp->payload);
    s->direct = true;
    s->clock_rate = video ? 90000 : 48000;
    s->last_rtp = rtp->timestamp;
    s->last_pts = GST_BUFFER_PTS (packet);
  }
  std::size_t n = sender_[video ? 0 : 1]->protect (d, len, cap, index);
  if (!n || nice_agent_send (NICE_AGENT (agent_), stream_id_, component_id_,
                             guint (n), reinterpret_cast<const gchar *> (d))
                < 0) {
    dropped_++;
    return;
  }
  sent_++;
}

/* The sender info of a stream sent directly, at running time `now` */
static srv::SenderInfo
sender_info (const DirectSend::Stream &s, GstClockTime now, std::size_t tag)
{
  srv::SenderInfo si;
  si.ntp = srv::ntp_time (g_get_real_time ());
  si.rtp = s.last_rtp;
  if (GST_CLOCK_TIME_IS_VALID (s.last_pts) && GST_CLOCK_TIME_IS_VALID (now)
      && now > s.last_pts)
    si.rtp += std::uint32_t (
        gst_util_uint64_scale_int (now - s.last_pts, s.clock_rate, GST_SECOND));
  si.packets = s.packets;
  si.octets = s.octets - std::uint32_t (s.by_webrtcbin * tag);
  return si;
}

GstBuffer *
DirectSend::rewrite_report (GstBuffer *rtcp)
{
  GstMapInfo m;
  if (!gst_buffer_map (rtcp, &m, GST_MAP_READ))
    return nullptr;
  std::vector<std::uint8_t> out;
  if (auto ssrc = srv::report_ssrc (m.data, m.size)) {
    GstClockTime now = GST_CLOCK_TIME_NONE;
    if (GstClock *clock = gst_element_get_clock (webrtc_)) {
      now = gst_clock_get_time (clock) - gst_element_get_base_time (webrtc_);
      gst_object_unref (clock);
    }
    std::lock_guard<std::mutex> g (lock_);
    auto it = streams_.find (*ssrc);
    if (it != streams_.end () && it->second->direct)
      out = srv::with_sender_info (m.data, m.size,
                                   sender_info (*it->second, now,
                                                tag_.load ()));
  }
  gst_buffer_unmap (rtcp, &m);
  if (out.empty ())
    return nullptr;
  GstBuffer *b = gst_buffer_new_memdup (out.data (), out.size ());
  gst_buffer_copy_into (b, rtcp, GST_BUFFER_COPY_METADATA, 0, -1);
  return b;
}

/* webrtcbin's RTCP thread: a compound on its way to encryption; the
 * report of a stream sent directly gets this path's sender info */
GstPadProbeReturn
DirectSend::on_rtcp_out (GstPad *, GstPadProbeInfo *info, gpointer data)
{
  std::shared_ptr<DirectSend> self = static_cast<Weak *> (data)->lock ();
  if (!self)
    return GST_PAD_PROBE_OK;
  GstBuffer *in = GST_PAD_PROBE_INFO_BUFFER (info);
  if (GstBuffer *out = self->rewrite_report (in)) {
    gst_buffer_unref (in);
    GST_PAD_PROBE_INFO_DATA (info) = out;
  }
  return GST_PAD_PROBE_OK;
}

} // namespace resilient::gst::server
