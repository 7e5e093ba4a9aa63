/* gst-resilient: comparing a secret sent by a peer (a callback secret, a
 * stream key, a viewer token) without leaking its length or contents
 * through timing. */
#pragma once

#include <string_view>

namespace resilient {

/* True when `got` equals `want`; the time taken depends only on the length
 * of `want`, never on where the two first differ. */
bool constant_time_equal (std::string_view want, std::string_view got);

} // namespace resilient
