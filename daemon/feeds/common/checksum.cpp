#include "feeds/common/checksum.h"

#include <zlib.h>

namespace tickguard::feeds {

std::uint32_t crc32_update(std::uint32_t crc, std::string_view text) {
  return static_cast<std::uint32_t>(
      ::crc32(crc, reinterpret_cast<const Bytef*>(text.data()), static_cast<uInt>(text.size())));
}

}  // namespace tickguard::feeds
