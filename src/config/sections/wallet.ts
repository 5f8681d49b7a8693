import { z } from 'zod';

export const walletSchema = z.strictObject({
  /** Wallets directory; BT_WALLET_PATH overrides the default. */
  path: z.string().min(1).default('~/.bittensor/wallets'),
  name: z
    .string()
    .min(1)
    .regex(/^[^/\\]+$/, 'must be a plain name')
    .default('default'),
  hotkey: z
    .string()
    .min(1)
    .regex(/^[^/\\]+$/, 'must be a plain name')
    .default('default'),
});
