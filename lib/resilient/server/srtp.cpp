/* gst-resilient server side: the SRTP sender of the direct send path. */
#include "resilient/server/srtp.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstring>

namespace resilient::server {

namespace {

constexpr std::size_t SALT_LEN = 14;
constexpr std::size_t AUTH_KEY_LEN = 20; /* HMAC-SHA1 */
constexpr std::uint8_t LABEL_RTP_ENCRYPTION = 0x00;
constexpr std::uint8_t LABEL_RTP_AUTH = 0x01;
constexpr std::uint8_t LABEL_RTP_SALT = 0x02;

std::size_t
key_len (SrtpCipher c)
{
  return c == SrtpCipher::Aes256Cm ? 32 : 16;
}

const EVP_CIPHER *
ctr (SrtpCipher c)
{
  return c == SrtpCipher::Aes256Cm ? EVP_aes_256_ctr () : EVP_aes_128_ctr ();
}

std::uint32_t
be32 (const std::uint8_t *p)
{
  return (std::uint32_t (p[0]) << 24) | (std::uint32_t (p[1]) << 16)
         | (std::uint32_t (p[2]) << 8) | p[3];
}

/* The RTP header's length (fixed part, CSRCs, extension), 0 when the
 * packet is not RTP version 2 or its header runs past its end. */
std::size_t
header_len (const std::uint8_t *p, std::size_t len)
{
  if (len < 12 || (p[0] >> 6) != 2)
    return 0;
  std::size_t h = 12 + 4 * std::size_t (p[0] & 0x0f);
  if (p[0] & 0x10) {
    if (h + 4 > len)
      return 0;
    h += 4 + 4 * ((std::size_t (p[h + 2]) << 8) | p[h + 3]);
  }
  return h <= len ? h : 0;
}

} // namespace

std::optional<RtpHeader>
rtp_header (const std::uint8_t *p, std::size_t len)
{
  const std::size_t h = header_len (p, len);
  const int pt = h ? p[1] & 0x7f : 0;
  if (!h || (pt >= 64 && pt <= 95))
    return std::nullopt;
  RtpHeader r;
  r.seq = std::uint16_t ((p[2] << 8) | p[3]);
  r.timestamp = be32 (p + 4);
  r.ssrc = be32 (p + 8);
  r.payload = h;
  return r;
}

std::uint64_t
SrtpIndex::next (std::uint16_t seq)
{
  if (!started_) {
    started_ = true;
    highest_ = seq; /* the first packet: ROC 0 */
    return highest_;
  }
  /* the candidate among ROC-1, ROC, ROC+1 nearest the highest index */
  const std::int64_t roc = std::int64_t (highest_ >> 16);
  std::uint64_t best = 0;
  std::uint64_t best_dist = UINT64_MAX;
  for (std::int64_t r = roc - 1; r <= roc + 1; r++) {
    if (r < 0 || r > 0xffffffffLL)
      continue;
    std::uint64_t v = (std::uint64_t (r) << 16) | seq;
    std::uint64_t d = v > highest_ ? v - highest_ : highest_ - v;
    if (d < best_dist) {
      best_dist = d;
      best = v;
    }
  }
  if (best > highest_)
    highest_ = best;
  return best;
}

struct SrtpSender::Crypto
{
  EVP_CIPHER_CTX *cipher = nullptr;
  EVP_MAC *mac = nullptr;
  EVP_MAC_CTX *hmac = nullptr;

  ~Crypto ()
  {
    EVP_CIPHER_CTX_free (cipher);
    EVP_MAC_CTX_free (hmac);
    EVP_MAC_free (mac);
  }
};

bool
SrtpSender::derive (SrtpCipher cipher, const std::uint8_t *key,
                    const std::uint8_t *salt, std::uint8_t label,
                    std::uint8_t *out, std::size_t out_len)
{
  /* x = key_id XOR master_salt, key_id = label || r (r = 0), right-aligned
   * in the 112-bit salt; the keystream of AES-CM from IV = x * 2^16 */
  std::uint8_t iv[16] = {};
  std::memcpy (iv, salt, SALT_LEN);
  iv[7] ^= label;
  EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new ();
  bool ok = c && EVP_EncryptInit_ex (c, ctr (cipher), nullptr, key, iv) == 1;
  std::memset (out, 0, out_len);
  int n = 0;
  ok = ok && EVP_EncryptUpdate (c, out, &n, out, int (out_len)) == 1;
  EVP_CIPHER_CTX_free (c);
  return ok && std::size_t (n) == out_len;
}

std::unique_ptr<SrtpSender>
SrtpSender::create (SrtpCipher cipher, const std::uint8_t *master,
                    std::size_t len, std::size_t tag_len, std::string &error)
{
  const std::size_t klen = key_len (cipher);
  if (len != klen + SALT_LEN) {
    error = "SRTP master key and salt of " + std::to_string (len)
            + " bytes, expected " + std::to_string (klen + SALT_LEN);
    return nullptr;
  }
  if (tag_len != 10 && tag_len != 4) {
    error = "SRTP tag of " + std::to_string (tag_len)
            + " bytes, expected 10 or 4";
    return nullptr;
  }
  std::unique_ptr<SrtpSender> s (new SrtpSender ());
  s->tag_len_ = tag_len;
  s->crypto_ = std::make_unique<Crypto> ();
  Crypto &c = *s->crypto_;
  std::uint8_t enc[32];
  std::uint8_t auth[AUTH_KEY_LEN];
  const std::uint8_t *mkey = master;
  const std::uint8_t *msalt = master + klen;
  bool ok = derive (cipher, mkey, msalt, LABEL_RTP_ENCRYPTION, enc, klen)
            && derive (cipher, mkey, msalt, LABEL_RTP_AUTH, auth, sizeof auth)
            && derive (cipher, mkey, msalt, LABEL_RTP_SALT, s->salt_,
                       SALT_LEN);
  c.cipher = EVP_CIPHER_CTX_new ();
  ok = ok && c.cipher
       && EVP_EncryptInit_ex (c.cipher, ctr (cipher), nullptr, enc, nullptr)
              == 1;
  c.mac = EVP_MAC_fetch (nullptr, "HMAC", nullptr);
  c.hmac = c.mac ? EVP_MAC_CTX_new (c.mac) : nullptr;
  char digest[] = "SHA1";
  OSSL_PARAM params[] = {
    OSSL_PARAM_construct_utf8_string (OSSL_MAC_PARAM_DIGEST, digest, 0),
    OSSL_PARAM_construct_end (),
  };
  ok = ok && c.hmac && EVP_MAC_init (c.hmac, auth, sizeof auth, params) == 1;
  std::memset (enc, 0, sizeof enc);
  std::memset (auth, 0, sizeof auth);
  if (!ok) {
    error = "OpenSSL could not set up AES-CM and HMAC-SHA1";
    return nullptr;
  }
  return s;
}

SrtpSender::~SrtpSender () { std::memset (salt_, 0, sizeof salt_); }

std::size_t
SrtpSender::protect (std::uint8_t *p, std::size_t len, std::size_t capacity,
                     std::uint64_t index)
{
  const std::size_t h = header_len (p, len);
  if (!h || capacity < len + tag_len_)
    return 0;
  const std::uint32_t ssrc = be32 (p + 8);
  /* IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16) */
  std::uint8_t iv[16] = {};
  std::memcpy (iv, salt_, SALT_LEN);
  for (int b = 0; b < 4; b++)
    iv[4 + b] ^= std::uint8_t (ssrc >> (24 - 8 * b));
  for (int b = 0; b < 6; b++)
    iv[8 + b] ^= std::uint8_t (index >> (40 - 8 * b));
  Crypto &c = *crypto_;
  int n = 0;
  if (EVP_EncryptInit_ex (c.cipher, nullptr, nullptr, nullptr, iv) != 1
      || EVP_EncryptUpdate (c.cipher, p + h, &n, p + h, int (len - h)) != 1)
    return 0;
  /* tag = HMAC-SHA1 (k_a, packet || ROC), truncated */
  const std::uint32_t roc = std::uint32_t (index >> 16);
  const std::uint8_t roc_be[4] = { std::uint8_t (roc >> 24),
                                   std::uint8_t (roc >> 16),
                                   std::uint8_t (roc >> 8), std::uint8_t (roc) };
  std::uint8_t tag[EVP_MAX_MD_SIZE];
  std::size_t tlen = 0;
  if (EVP_MAC_init (c.hmac, nullptr, 0, nullptr) != 1
      || EVP_MAC_update (c.hmac, p, len) != 1
      || EVP_MAC_update (c.hmac, roc_be, sizeof roc_be) != 1
      || EVP_MAC_final (c.hmac, tag, &tlen, sizeof tag) != 1
      || tlen < tag_len_)
    return 0;
  std::memcpy (p + len, tag, tag_len_);
  return len + tag_len_;
}

} // namespace resilient::server
