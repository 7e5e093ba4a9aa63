/* The direct send path's packet handling (reswhepserversink): the RTCP
 * compound rewritten into a sender report, and the RTP header walk of the
 * SRTP protect. Its input is what webrtcbin's RTP session and our
 * payloaders make, not a peer's bytes, but neither may read past a buffer
 * or return a length that does not add up. Input: any bytes. */
#include "fuzz_input.h"
#include "resilient/server/senderreport.h"
#include "resilient/server/srtp.h"

#include <memory>
#include <string>
#include <vector>

using namespace resilient::server;

extern "C" int
LLVMFuzzerTestOneInput (const std::uint8_t *data, std::size_t size)
{
  const SenderInfo si{ 0x0102030405060708ULL, 9, 10, 11 };
  auto ssrc = report_ssrc (data, size);
  auto sr = with_sender_info (data, size, si);
  if (ssrc.has_value () == sr.empty ())
    resilient::fuzz::fuzz_fail ("a report was found but not rewritten, or "
                                "the other way round");
  if (!sr.empty ()) {
    if (sr.size () != size && sr.size () != size + 20)
      resilient::fuzz::fuzz_fail ("the rewritten compound's length");
    if (report_ssrc (sr.data (), sr.size ()) != ssrc || sr[1] != 200)
      resilient::fuzz::fuzz_fail ("the rewrite is not a sender report of "
                                  "the same SSRC");
  }
  static std::unique_ptr<SrtpSender> sender = [] {
    std::string err;
    std::vector<std::uint8_t> key (30, 7);
    return SrtpSender::create (SrtpCipher::Aes128Cm, key.data (), key.size (),
                               10, err);
  }();
  std::vector<std::uint8_t> packet (data, data + size);
  packet.resize (size + SrtpSender::MAX_TRAILER);
  std::size_t n = sender->protect (packet.data (), size, packet.size (), 1);
  if (n != 0 && n != size + 10)
    resilient::fuzz::fuzz_fail ("protect returned another length");
  return 0;
}
