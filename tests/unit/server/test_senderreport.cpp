/* with_sender_info: the direct send path's sender reports (RFC 3550
 * 6.4.1) made from webrtcbin's receiver and sender reports. */
#include "resilient/server/senderreport.h"

#include "bytes.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using resilient::server::SenderInfo;

TEST (SenderReport, AReceiverReportBecomesASenderReportKeepingTheRest)
{
  /* RR of SSRC 0x01020304 with one report block, then an SDES (CNAME "a") */
  std::vector<std::uint8_t> rr = { 0x81, 201, 0, 7, 1, 2, 3, 4 };
  for (int i = 0; i < 24; i++)
    rr.push_back (std::uint8_t (0xa0 + i));
  std::vector<std::uint8_t> sdes
      = { 0x81, 202, 0, 2, 1, 2, 3, 4, 1, 1, 'a', 0 };
  rr.insert (rr.end (), sdes.begin (), sdes.end ());
  ASSERT_EQ (resilient::server::report_ssrc (rr.data (), rr.size ()),
             0x01020304u);
  SenderInfo si{ 0x1122334455667788ULL, 0x99aabbcc, 10, 1000 };
  auto sr = resilient::server::with_sender_info (rr.data (), rr.size (), si);
  ASSERT_EQ (sr.size (), rr.size () + 20);
  EXPECT_EQ (sr[0], 0x81);
  EXPECT_EQ (sr[1], 200);
  EXPECT_EQ ((sr[2] << 8) | sr[3], 12); /* 52 bytes */
  EXPECT_EQ (std::vector<std::uint8_t> (sr.begin () + 8, sr.begin () + 28),
             hex ("1122334455667788" "99AABBCC" "0000000A" "000003E8"));
  EXPECT_TRUE (std::equal (rr.begin () + 8, rr.end (), sr.begin () + 28));
  /* an SR keeps its length: only the sender info changes */
  auto again = resilient::server::with_sender_info (sr.data (), sr.size (),
                                                    SenderInfo{ 1, 2, 3, 4 });
  ASSERT_EQ (again.size (), sr.size ());
  EXPECT_EQ (again[27], 4);
  EXPECT_TRUE (std::equal (sr.begin () + 28, sr.end (), again.begin () + 28));
}

TEST (SenderReport, LeavesWhatIsNotAReportAlone)
{
  std::vector<std::uint8_t> sdes = { 0x81, 202, 0, 2, 1, 2, 3, 4, 1, 1, 'a', 0 };
  EXPECT_FALSE (resilient::server::report_ssrc (sdes.data (), sdes.size ()));
  std::vector<std::uint8_t> cut = { 0x81, 201, 0, 7, 1, 2, 3, 4 }; /* 1 RB, 8 bytes */
  EXPECT_FALSE (resilient::server::report_ssrc (cut.data (), cut.size ()));
  EXPECT_TRUE (resilient::server::with_sender_info (cut.data (), cut.size (),
                                                    SenderInfo{})
                   .empty ());
  std::vector<std::uint8_t> padded = { 0xa0, 201, 0, 1, 1, 2, 3, 4 };
  EXPECT_FALSE (resilient::server::report_ssrc (padded.data (), 8));
  EXPECT_EQ (resilient::server::ntp_time (0) >> 32, 2208988800ULL);
  EXPECT_EQ (resilient::server::ntp_time (500000) & 0xffffffffULL,
             0x80000000ULL);
}
