import type { Rng } from './prng.js';

/** What one synthetic invoice says, before layout; made like the OCR tutorial's Faker data. */
export interface InvoiceItem {
  readonly desc: string;
  readonly qty: number;
  readonly price: number;
}

export interface InvoiceContent {
  readonly companyName: string;
  readonly companyAddress: string;
  readonly companyCityZip: string;
  readonly customerName: string;
  readonly invoiceDate: string;
  readonly dueDate: string;
  readonly invoiceNumber: string;
  readonly items: readonly InvoiceItem[];
  readonly taxPercent: number;
  readonly termsDays: number;
}

/** The tutorial's catalogue: 18 services, so 8-18 line items means a sample of it. */
export const ITEM_CATALOGUE: readonly { desc: string; price: number }[] = [
  { desc: 'Web hosting', price: 100 },
  { desc: 'Domain registration', price: 10 },
  { desc: 'SSL certificate', price: 5.5 },
  { desc: 'Web design', price: 500 },
  { desc: 'Web development', price: 500 },
  { desc: 'SEO', price: 100 },
  { desc: 'Content creation', price: 300 },
  { desc: 'Social media marketing', price: 400 },
  { desc: 'Email marketing', price: 150 },
  { desc: 'PPC advertising', price: 200 },
  { desc: 'Analytics', price: 400 },
  { desc: 'Consulting', price: 700 },
  { desc: 'Training', price: 1200 },
  { desc: 'Maintenance', price: 650 },
  { desc: 'Support', price: 80 },
  { desc: 'Graphic design', price: 310 },
  { desc: 'Logo design', price: 140 },
  { desc: 'Branding', price: 750 },
];

const LAST_NAMES = [
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Jones',
  'Garcia',
  'Miller',
  'Davis',
  'Rodriguez',
  'Martinez',
  'Hernandez',
  'Lopez',
  'Gonzalez',
  'Wilson',
  'Anderson',
  'Thomas',
  'Taylor',
  'Moore',
  'Jackson',
  'Martin',
  'Lee',
  'Perez',
  'Thompson',
  'White',
  'Harris',
  'Sanchez',
  'Clark',
  'Ramirez',
  'Lewis',
  'Robinson',
  'Walker',
  'Young',
  'Allen',
  'King',
  'Wright',
  'Scott',
  'Torres',
  'Nguyen',
  'Hill',
  'Flores',
];
const FIRST_NAMES = [
  'James',
  'Mary',
  'Robert',
  'Patricia',
  'John',
  'Jennifer',
  'Michael',
  'Linda',
  'David',
  'Elizabeth',
  'William',
  'Barbara',
  'Richard',
  'Susan',
  'Joseph',
  'Jessica',
  'Thomas',
  'Sarah',
  'Christopher',
  'Karen',
  'Daniel',
  'Lisa',
  'Matthew',
  'Nancy',
  'Anthony',
  'Betty',
  'Mark',
  'Sandra',
  'Steven',
  'Ashley',
];
const COMPANY_SUFFIXES = ['Inc', 'LLC', 'Ltd', 'Group', 'PLC', 'and Sons'];
const STREET_SUFFIXES = ['Street', 'Avenue', 'Road', 'Lane', 'Drive', 'Court', 'Way', 'Boulevard', 'Place', 'Trail'];
const CITIES = [
  'Port Jennifer',
  'New Michael',
  'Lake Sarah',
  'East Robert',
  'West Linda',
  'South Thomas',
  'North Karen',
  'Springfield',
  'Riverside',
  'Fairview',
  'Georgetown',
  'Madison',
  'Franklin',
  'Clinton',
  'Salem',
  'Ashland',
];
const STATES = ['CA', 'TX', 'NY', 'FL', 'WA', 'OR', 'IL', 'GA', 'NC', 'OH', 'PA', 'AZ', 'CO', 'MA'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function companyName(rng: Rng): string {
  const form = rng.int(0, 2);
  if (form === 0) return `${rng.pick(LAST_NAMES)} ${rng.pick(COMPANY_SUFFIXES)}`;
  if (form === 1) return `${rng.pick(LAST_NAMES)}-${rng.pick(LAST_NAMES)}`;
  return `${rng.pick(LAST_NAMES)}, ${rng.pick(LAST_NAMES)} and ${rng.pick(LAST_NAMES)}`;
}

function streetAddress(rng: Rng): string {
  const base = `${rng.int(10, 99999)} ${rng.pick(LAST_NAMES)} ${rng.pick(STREET_SUFFIXES)}`;
  const unit = rng.int(0, 2);
  if (unit === 0) return `${base} Suite ${rng.int(100, 999)}`;
  if (unit === 1) return `${base} Apt. ${rng.int(1, 999)}`;
  return base;
}

function formatDate(ms: number): string {
  const d = new Date(ms);
  const day = String(d.getUTCDate()).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()] ?? 'January'} ${day}, ${d.getUTCFullYear()}`;
}

export function money(amount: number): string {
  const [whole = '0', cents = '00'] = amount.toFixed(2).split('.');
  return `$${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${cents}`;
}

export function invoiceContent(rng: Rng, nItems?: number): InvoiceContent {
  const count = nItems ?? rng.int(8, ITEM_CATALOGUE.length);
  const items = rng
    .sample(ITEM_CATALOGUE, count)
    .sort((a, b) => a.desc.localeCompare(b.desc))
    .map((it) => ({ desc: it.desc, price: it.price, qty: rng.int(1, 5) }));
  // The tutorial's dates: up to ~16 years before its own release date.
  const issuedMs = (1_700_176_424 - rng.next() * 5e8) * 1000;
  const termsDays = rng.pick([7, 14, 30, 60, 90]);
  return {
    companyName: companyName(rng),
    companyAddress: streetAddress(rng),
    companyCityZip: `${rng.pick(CITIES)}, ${rng.pick(STATES)} ${String(rng.int(501, 99950)).padStart(5, '0')}`,
    customerName: `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`,
    invoiceDate: formatDate(issuedMs),
    dueDate: formatDate(issuedMs + termsDays * 86_400_000),
    invoiceNumber: `INV${String(rng.int(1, 10_000)).padStart(6, '0')}`,
    items,
    taxPercent: rng.pick([0, 5, 7, 8, 10]),
    termsDays,
  };
}
