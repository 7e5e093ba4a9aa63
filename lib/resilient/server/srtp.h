/* gst-resilient server side: the SRTP sender of reswhepserversink's direct
 * send path (RFC 3711, AES Counter Mode with HMAC-SHA1; AES-256 per
 * RFC 6188).
 *
 * A viewer's webrtcbin runs ICE and DTLS-SRTP; once its keys are out, the
 * fan-out protects each packet itself and hands it to the viewer's ICE
 * socket, instead of pushing it through the ~15 pads of webrtcbin's send
 * path (docs/elements/reswhepserversink.md, "Direct send"). SrtpSender is
 * that protect step: the session keys derived once from the DTLS master
 * key and salt, then per packet one AES-CTR pass over the payload and one
 * HMAC-SHA1 tag. It continues a stream webrtcbin's srtpenc began (same
 * keys, same SSRC): the caller's SrtpIndex of each SSRC has seen the
 * sequence numbers that went out through srtpenc, so the packet index
 * (rollover counter and sequence number, RFC 3711 3.3.1) is the one the
 * receiver expects.
 *
 * Plain C++ over OpenSSL; no GStreamer, no clock. protect() is not
 * thread-safe: one sender per streaming thread (one per kind).
 */
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace resilient::server {

enum class SrtpCipher {
  Aes128Cm, /* AES_CM_128_HMAC_SHA1_80 / _32: 16-byte key, 14-byte salt */
  Aes256Cm, /* AES_256_CM_HMAC_SHA1_80 / _32 (RFC 6188): 32-byte key */
};

/* The sender-side packet index of one SSRC (RFC 3711 3.3.1 and Appendix
 * A): the 48-bit index (ROC << 16 | SEQ) a sequence number stands for,
 * taken as the candidate nearest to the highest index seen so far. */
class SrtpIndex
{
public:
  /* The index of `seq`; the highest seen moves forward when it is newer. */
  std::uint64_t next (std::uint16_t seq);
  bool started () const { return started_; }
  std::uint64_t highest () const { return highest_; }

private:
  bool started_ = false;
  std::uint64_t highest_ = 0;
};

/* What the direct send path reads of an RTP packet's header, which SRTP
 * leaves in clear text. */
struct RtpHeader
{
  std::uint32_t ssrc = 0;
  std::uint16_t seq = 0;
  std::uint32_t timestamp = 0;
  std::size_t payload = 0; /* offset: after CSRCs and any extension */
};

/* nullopt when `data` is not an RTP packet: too short, not version 2, its
 * header or extension past its end, or an RTCP payload type (64-95 with
 * the marker bit, RFC 5761: rtcp-mux puts both on one socket). */
std::optional<RtpHeader> rtp_header (const std::uint8_t *data,
                                     std::size_t len);

class SrtpSender
{
public:
  /* Bytes a protected packet grows by at most (the HMAC-SHA1-80 tag). */
  static constexpr std::size_t MAX_TRAILER = 10;

  /* `master` is the master key followed by the master salt (30 bytes for
   * AES-128, 46 for AES-256), as DTLS-SRTP exports it; `tag_len` 10
   * (HMAC_SHA1_80) or 4 (HMAC_SHA1_32). nullptr and `error` on a key of
   * the wrong length, another tag length or an OpenSSL failure. */
  static std::unique_ptr<SrtpSender> create (SrtpCipher cipher,
                                             const std::uint8_t *master,
                                             std::size_t len,
                                             std::size_t tag_len,
                                             std::string &error);
  ~SrtpSender ();
  SrtpSender (const SrtpSender &) = delete;
  SrtpSender &operator= (const SrtpSender &) = delete;

  /* Protects the RTP packet packet[0, len) in place as packet `index` of
   * its SSRC's stream (SrtpIndex): its payload encrypted, the tag
   * appended. `capacity` must be at least len + tag_len(). Returns the new
   * length, 0 when the packet is not RTP (too short, not version 2, header
   * or extension past its end) or OpenSSL fails (the packet is then not
   * to be sent). */
  std::size_t protect (std::uint8_t *packet, std::size_t len,
                       std::size_t capacity, std::uint64_t index);
  std::size_t tag_len () const { return tag_len_; }

  /* RFC 3711 4.3.1 key derivation (key derivation rate 0): `out_len`
   * bytes for `label` from the master key and salt. Public for the RFC's
   * test vectors. */
  static bool derive (SrtpCipher cipher, const std::uint8_t *key,
                      const std::uint8_t *salt, std::uint8_t label,
                      std::uint8_t *out, std::size_t out_len);

private:
  struct Crypto;
  SrtpSender () = default;

  std::unique_ptr<Crypto> crypto_;
  std::uint8_t salt_[14] = {};
  std::size_t tag_len_ = 10;
};

} // namespace resilient::server
