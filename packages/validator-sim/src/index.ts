export {
  InvoiceGenerator,
  layoutInvoice,
  pageSvg,
  renderGrey,
  labelFor,
  corruptPixels,
  PAGE_WIDTH,
  PAGE_HEIGHT,
  DEFAULT_FONT_DIR,
  type InvoicePage,
  type OcrLabel,
  type FontFamily,
  type DrawnLine,
  type InvoiceGeneratorOpts,
} from './invoiceGenerator.js';
export { invoiceContent, ITEM_CATALOGUE, type InvoiceContent } from './invoiceContent.js';
export { loadFontMetrics, parseFontMetrics, type FontMetrics } from './fontMetrics.js';
export { createRng, type Rng } from './prng.js';
export { hungarianMinCost, hungarianMaxReward } from './hungarian.js';
export {
  scoreResponse,
  sectionReward,
  editDistance,
  textReward,
  iou,
  fontReward,
  toPrediction,
  TUTORIAL_WEIGHTS,
  MAX_PREDICTIONS,
  type RewardWeights,
  type SectionReward,
  type PageScore,
} from './ocrReward.js';
export {
  minerTargets,
  parseHostPort,
  isServed,
  type DendriteClient,
  type DendriteQuery,
  type DendriteAnswer,
  type AddressOverrides,
  type MinerTarget,
} from './minerQuery.js';
export {
  normalizeWeights,
  readWeightParams,
  setWeightsCall,
  submitWeights,
  currentBlock,
  U16_MAX,
  type ChainApiSource,
  type SetWeightsResult,
  type SubnetWeightParams,
} from './weightSetter.js';
export { scorePages, dendritePageQuery, type PageQuery, type ScorePagesOpts, type PagesSummary } from './scorePages.js';
export {
  ValidatorSim,
  type ValidatorSimOpts,
  type ValidatorSimModules,
  type RoundResult,
  type MinerRoundResult,
} from './validatorSim.js';
