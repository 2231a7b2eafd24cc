// CRC-32 (IEEE 802.3, as zlib computes it), used by OKX and Kraken book checksums.
#pragma once

#include <cstdint>
#include <string_view>

namespace tickguard::feeds {

// CRC-32 of `text`, continuing from `crc` (start with 0).
std::uint32_t crc32_update(std::uint32_t crc, std::string_view text);

}  // namespace tickguard::feeds
