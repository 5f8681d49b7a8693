/**
 * Well-known Substrate development keys, public to the world: for the local devnet only.
 * `seed` is the 32-byte mini secret (what btwallet stores as secretSeed) of the `uri`.
 */
export interface DevKey {
  readonly uri: string;
  readonly seed: string;
  readonly ss58: string;
}

export const DEV_KEYS = {
  /** Sudo key of every devnet and the funder of the others. */
  alice: {
    uri: '//Alice',
    seed: '0xe5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a',
    ss58: '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY',
  },
  /** Validator hotkey (example wallet `validator`, hotkey `default`). */
  bob: { uri: '//Bob', seed: '0x398f0c28f98885e046333d4a41c19cee4c37368a9832c6502f6cfd182e2aef89', ss58: '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty' },
  /** Validator coldkey. */
  charlie: {
    uri: '//Charlie',
    seed: '0xbc1ede780f784bb6991a585e4f6e61522c14e1cae6ad0895fb57b9a205a8f938',
    ss58: '5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y',
  },
  /** Miner coldkey (example wallet `miner`). */
  dave: { uri: '//Dave', seed: '0x868020ae0687dda7d57565093a69090211449845a7e11453612800b663307246', ss58: '5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy' },
  /** Miner hotkey (example wallet `miner`, hotkey `default`). */
  eve: { uri: '//Eve', seed: '0x786ad0e2df456fe43dd1f91ebca22e235bc162e0bb8d53c633e8c85b2af68b7a', ss58: '5HGjWAeFDfFCWPsjFQdVV2Msvz2XtMktvgocEZcCj68kUMaw' },
} as const satisfies Record<string, DevKey>;

export const DEVNET_ROLES = {
  sudo: DEV_KEYS.alice,
  validatorHotkey: DEV_KEYS.bob,
  validatorColdkey: DEV_KEYS.charlie,
  minerColdkey: DEV_KEYS.dave,
  minerHotkey: DEV_KEYS.eve,
} as const;
