/* SrtpSender: RFC 3711 key derivation vectors, the packet index across
 * sequence number wraps, and what protect() does to a packet. The
 * packets' decryption by libsrtp (GStreamer's srtpdec) is checked in
 * tests/element/test_directsend.cpp. */
#include "resilient/server/srtp.h"

#include "bytes.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using resilient::server::SrtpCipher;
using resilient::server::SrtpIndex;
using resilient::server::SrtpSender;

/* RFC 3711 Appendix B.3 */
TEST (Srtp, KeyDerivationMatchesTheRfcVectors)
{
  auto key = hex ("E1F97A0D3E018BE0D64FA32C06DE4139");
  auto salt = hex ("0EC675AD498AFEEBB6960B3AABE6");
  std::vector<std::uint8_t> enc (16), auth (20), ssalt (14);
  ASSERT_TRUE (SrtpSender::derive (SrtpCipher::Aes128Cm, key.data (),
                                   salt.data (), 0x00, enc.data (), 16));
  ASSERT_TRUE (SrtpSender::derive (SrtpCipher::Aes128Cm, key.data (),
                                   salt.data (), 0x01, auth.data (), 20));
  ASSERT_TRUE (SrtpSender::derive (SrtpCipher::Aes128Cm, key.data (),
                                   salt.data (), 0x02, ssalt.data (), 14));
  EXPECT_EQ (enc, hex ("C61E7A93744F39EE10734AFE3FF7A087"));
  EXPECT_EQ (ssalt, hex ("30CBBC08863D8C85D49DB34A9AE1"));
  EXPECT_EQ (auth, hex ("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4"));
}

TEST (Srtp, IndexCountsRolloversAndPlacesLatePackets)
{
  SrtpIndex i;
  EXPECT_EQ (i.next (65534), 65534u);
  EXPECT_EQ (i.next (65535), 65535u);
  EXPECT_EQ (i.next (0), 65536u);      /* wrapped: ROC 1 */
  EXPECT_EQ (i.next (65533), 65533u);  /* a late packet of ROC 0 */
  EXPECT_EQ (i.next (1), 65537u);
  EXPECT_EQ (i.highest (), 65537u);
  SrtpIndex j;
  EXPECT_EQ (j.next (0), 0u); /* the first packet is ROC 0 */
  EXPECT_EQ (j.next (65535), 65535u); /* not ROC -1 */
}

static std::vector<std::uint8_t>
rtp_packet (std::uint16_t seq, std::size_t payload, std::uint8_t first = 0x80)
{
  std::vector<std::uint8_t> p = { first, 96, std::uint8_t (seq >> 8),
                                  std::uint8_t (seq), 0, 0, 0, 1,
                                  0x12, 0x34, 0x56, 0x78 };
  for (std::size_t i = 0; i < payload; i++)
    p.push_back (std::uint8_t (i));
  return p;
}

static std::unique_ptr<SrtpSender>
sender (std::size_t tag = 10)
{
  std::string err;
  auto master = hex ("E1F97A0D3E018BE0D64FA32C06DE4139"
                     "0EC675AD498AFEEBB6960B3AABE6");
  auto s = SrtpSender::create (SrtpCipher::Aes128Cm, master.data (),
                               master.size (), tag, err);
  EXPECT_TRUE (s) << err;
  return s;
}

TEST (Srtp, ProtectKeepsTheHeaderEncryptsThePayloadAndAppendsTheTag)
{
  for (std::size_t tag : { 10u, 4u }) {
    auto s = sender (tag);
    auto plain = rtp_packet (7, 100);
    auto p = plain;
    p.resize (plain.size () + SrtpSender::MAX_TRAILER);
    std::size_t n = s->protect (p.data (), plain.size (), p.size (), 7);
    ASSERT_EQ (n, plain.size () + tag);
    EXPECT_TRUE (std::equal (plain.begin (), plain.begin () + 12, p.begin ()));
    EXPECT_FALSE (
        std::equal (plain.begin () + 12, plain.end (), p.begin () + 12));
  }
}

TEST (Srtp, TheSamePacketAtAnotherIndexGetsAnotherKeystream)
{
  auto a = sender ();
  auto b = sender ();
  auto p1 = rtp_packet (7, 64);
  auto p2 = p1;
  auto p3 = p1;
  for (auto *p : { &p1, &p2, &p3 })
    p->resize (p->size () + 10);
  a->protect (p1.data (), 76, p1.size (), 7);
  b->protect (p2.data (), 76, p2.size (), 7);
  EXPECT_EQ (p1, p2); /* same keys, same index: the same bytes */
  /* after a wrap SEQ 7 is index 65543: another keystream and tag */
  SrtpIndex i;
  i.next (65530);
  std::uint64_t wrapped = i.next (7);
  EXPECT_EQ (wrapped, 65543u);
  b->protect (p3.data (), 76, p3.size (), wrapped);
  EXPECT_NE (p1, p3);
}

TEST (Srtp, RefusesWhatIsNotRtpAndKeysOfTheWrongSize)
{
  auto s = sender ();
  std::vector<std::uint8_t> shortp (11, 0x80);
  shortp.resize (40);
  EXPECT_EQ (s->protect (shortp.data (), 11, shortp.size (), 1), 0u);
  auto v1 = rtp_packet (1, 10, 0x40); /* version 1 */
  v1.resize (v1.size () + 10);
  EXPECT_EQ (s->protect (v1.data (), 22, v1.size (), 1), 0u);
  auto ext = rtp_packet (1, 0, 0x90); /* extension header past the end */
  ext.resize (ext.size () + 10);
  EXPECT_EQ (s->protect (ext.data (), 12, ext.size (), 1), 0u);
  auto csrc = rtp_packet (1, 4, 0x8f); /* 15 CSRCs in 16 bytes */
  csrc.resize (csrc.size () + 10);
  EXPECT_EQ (s->protect (csrc.data (), 16, csrc.size (), 1), 0u);
  auto full = rtp_packet (1, 10);
  EXPECT_EQ (s->protect (full.data (), full.size (), full.size (), 1), 0u)
      << "no room for the tag";
  std::string err;
  std::vector<std::uint8_t> k (29);
  EXPECT_FALSE (SrtpSender::create (SrtpCipher::Aes128Cm, k.data (), 29, 10,
                                    err));
  EXPECT_NE (err.find ("29 bytes"), std::string::npos);
  k.resize (30);
  EXPECT_FALSE (SrtpSender::create (SrtpCipher::Aes128Cm, k.data (), 30, 8,
                                    err));
  k.resize (46);
  EXPECT_TRUE (SrtpSender::create (SrtpCipher::Aes256Cm, k.data (), 46, 10,
                                   err));
}

TEST (Srtp, RtpHeaderReadsTheClearTextFieldsAndLeavesRtcpOut)
{
  auto ext = rtp_packet (0x1234, 8, 0x91); /* one CSRC, an extension */
  ext.insert (ext.begin () + 12, { 0, 0, 0, 9 });          /* the CSRC */
  ext.insert (ext.begin () + 16, { 0xbe, 0xde, 0, 1, 1, 2, 3, 4 });
  auto h = resilient::server::rtp_header (ext.data (), ext.size ());
  ASSERT_TRUE (h);
  EXPECT_EQ (h->ssrc, 0x12345678u);
  EXPECT_EQ (h->seq, 0x1234);
  EXPECT_EQ (h->timestamp, 1u);
  EXPECT_EQ (h->payload, 24u);
  std::vector<std::uint8_t> rr = { 0x80, 201, 0, 1, 1, 2, 3, 4, 0, 0, 0, 0 };
  EXPECT_FALSE (resilient::server::rtp_header (rr.data (), rr.size ()));
  EXPECT_FALSE (resilient::server::rtp_header (ext.data (), 11));
}
