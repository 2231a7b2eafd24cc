#include "core/shard.h"

#include "core/asset_group.h"

namespace tickguard {

std::uint64_t stable_hash(std::string_view text) {
  std::uint64_t h = 14695981039346656037ull;  // FNV-1a offset basis
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;  // FNV prime
  }
  // SplitMix64 finalizer.
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  h ^= h >> 31;
  return h;
}

int shard_of(std::string_view symbol, int shards) {
  if (shards <= 1) return 0;
  return static_cast<int>(stable_hash(asset_group(symbol)) % static_cast<std::uint64_t>(shards));
}

}  // namespace tickguard
