// Sharding across daemon instances: N instances split the instruments with no coordination. Each
// (exchange, symbol) belongs to exactly one shard, chosen by a hash of its asset group (see
// asset_group.h), so every venue of an asset lands on the same instance and the cross-venue
// detectors still see them all. The hash is stable across processes, builds and machines.
#pragma once

#include <cstdint>
#include <string_view>

namespace tickguard {

// 64-bit FNV-1a of `text`, then the SplitMix64 finalizer (so that the low bits, which pick the
// shard, depend on every byte). Stable: part of the deployment contract, never change it.
std::uint64_t stable_hash(std::string_view text);

// The shard in [0, shards) of a unified symbol: stable_hash(asset_group(symbol)) % shards.
// `shards` >= 1.
int shard_of(std::string_view symbol, int shards);

}  // namespace tickguard
