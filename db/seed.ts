import { sql } from "kysely";
import type { DB } from "./connection";

/**
 * Realistic users, fast: one precomputed password hash for everyone (bcrypt
 * per user would take hours), multi-row inserts, one transaction per batch.
 * Used by `npm run db:seed` and the benchmarks.
 */

const FIRST_NAMES = [
  "Ada", "Alan", "Grace", "Linus", "Margaret", "Ken", "Dennis", "Barbara", "Edsger", "Donald", "Frances", "Katherine",
  "John", "Mary", "James", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William", "Elizabeth", "David",
  "Susan", "Richard", "Jessica", "Joseph", "Sarah", "Thomas", "Karen", "Charles", "Nancy", "Daniel", "Lisa", "Matthew",
  "Betty", "Anthony", "Sandra", "Mark", "Ashley", "Paul", "Emily", "Steven", "Donna", "Andrew", "Michelle", "Joshua",
  "Carol", "Kevin", "Amanda", "Brian", "Melissa", "George", "Deborah", "Timothy", "Stephanie", "Ronald", "Rebecca",
  "Jason", "Laura", "Ryan", "Sharon", "Jacob", "Cynthia", "Gary", "Kathleen", "Nicholas", "Amy", "Eric", "Angela",
  "Jonathan", "Shirley", "Larry", "Anna", "Justin", "Brenda", "Scott", "Pamela", "Brandon", "Nicole", "Benjamin",
  "Emma", "Samuel", "Samantha", "Gregory", "Christine", "Frank", "Rachel", "Raymond", "Carolyn", "Patrick", "Janet",
  "Alexander", "Maria", "Jack", "Olivia", "Tyler", "Heather", "Aaron", "Helen", "José", "Sofia", "Luis", "Camila",
  "Mateo", "Valentina", "Chloé", "Léa", "Hugo", "Zoë", "Søren", "Ingrid", "Lars", "Astrid", "Mei", "Wei", "Hiroshi",
  "Yuki", "Aiko", "Kenji", "Priya", "Arjun", "Ananya", "Rahul", "Fatima", "Omar", "Aisha", "Yusuf", "Amara", "Kwame",
  "Chidi", "Ngozi", "Olga", "Ivan", "Dmitri", "Natalia", "Piotr", "Agnieszka", "Giulia", "Marco", "Francesca", "Luca",
];

const LAST_NAMES = [
  "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Hernandez",
  "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez",
  "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen",
  "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
  "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Gomez", "Phillips", "Evans", "Turner", "Diaz", "Parker",
  "Cruz", "Edwards", "Collins", "Reyes", "Stewart", "Morris", "Morales", "Murphy", "Cook", "Rogers", "Gutierrez",
  "Ortiz", "Morgan", "Cooper", "Peterson", "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward",
  "Richardson", "Watson", "Brooks", "Chavez", "Wood", "James", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes",
  "Price", "Alvarez", "Castillo", "Sanders", "Patel", "Myers", "Long", "Ross", "Foster", "Jimenez", "Powell",
  "Jenkins", "Perry", "Russell", "Sullivan", "Bell", "Coleman", "Butler", "Henderson", "Barnes", "Gonzales", "Fisher",
  "Vasquez", "Simmons", "Romero", "Jordan", "Patterson", "Alexander", "Hamilton", "Graham", "Reynolds", "Griffin",
  "Wallace", "Moreno", "West", "Cole", "Hayes", "Bryant", "Herrera", "Gibson", "Ellis", "Tran", "Medina", "Aguilar",
  "Stevens", "Murray", "Ford", "Castro", "Marshall", "Owens", "Harrison", "Fernandez", "McDonald", "Woods",
  "Washington", "Kennedy", "Wells", "Vargas", "Henry", "Chen", "Freeman", "Webb", "Tucker", "Guzman", "Burns",
  "Crawford", "Olson", "Simpson", "Porter", "Hunter", "Gordon", "Mendez", "Silva", "Shaw", "Snyder", "Mason", "Dixon",
  "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Dubois", "Lefèvre", "Moreau", "Rossi", "Russo", "Ferrari",
  "Esposito", "Bianchi", "Nowak", "Kowalski", "Wiśniewski", "Novák", "Horváth", "Nielsen", "Jensen", "Hansen",
  "Johansson", "Andersson", "Virtanen", "Korhonen", "Ivanov", "Petrov", "Sato", "Suzuki", "Takahashi", "Tanaka",
  "Watanabe", "Wang", "Li", "Zhang", "Liu", "Yang", "Huang", "Singh", "Kumar", "Sharma", "Gupta", "Khan", "Ali",
  "Ahmed", "Hassan", "Okafor", "Mensah", "Adeyemi", "Mwangi", "Lovelace", "Hopper", "Turing", "Liskov", "Knuth",
];

const DOMAINS = ["example.com", "example.org", "example.net", "mail.example.com", "corp.example", "school.example"];

/** A small deterministic PRNG (mulberry32), so a seed of N users looks the same every time. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function ascii(text: string): string {
  return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/ø/g, "o").replace(/ł/g, "l").toLowerCase();
}

function pick<T>(list: readonly T[], random: () => number): T {
  return list[Math.floor(random() * list.length)]!;
}

export type SeedOptions = {
  count: number;
  /** The bcrypt hash every seeded user gets (hash once, reuse). */
  passwordHash: string;
  now?: number;
  /** Rows per transaction. */
  batchSize?: number;
  /** Share of seeded users that are deactivated. */
  inactiveShare?: number;
  seed?: number;
};

const ROWS_PER_STATEMENT = 500;
const SPAN_MS = 3 * 365 * 24 * 3600 * 1000;

/**
 * Inserts `count` users with the `user` role: varied names (some non-ASCII),
 * unique emails, sign-up dates spread over the last three years in id order,
 * a few deactivated. Returns how many were inserted and how long it took.
 */
export async function seedUsers(
  db: DB,
  { count, passwordHash, now = Date.now(), batchSize = 5000, inactiveShare = 0.04, seed = 1 }: SeedOptions,
): Promise<{ inserted: number; ms: number }> {
  const started = performance.now();
  const random = prng(seed);
  const role = await db.selectFrom("roles").select("id").where("name", "=", "user").executeTakeFirstOrThrow();
  // Emails end in a serial number past every id so far: unique without a lookup.
  const { last } = await db
    .selectFrom("users")
    .select((eb) => eb.fn.coalesce(eb.fn.max("id"), sql<number>`0`).as("last"))
    .executeTakeFirstOrThrow();
  let serial = Number(last);
  const step = count > 0 ? SPAN_MS / count : 0;

  let inserted = 0;
  while (inserted < count) {
    const batch = Math.min(batchSize, count - inserted);
    await db.transaction().execute(async (trx) => {
      for (let done = 0; done < batch; done += ROWS_PER_STATEMENT) {
        const rows = [];
        for (let i = 0; i < Math.min(ROWS_PER_STATEMENT, batch - done); i++) {
          serial += 1;
          const first = pick(FIRST_NAMES, random);
          const last = pick(LAST_NAMES, random);
          const local = [
            `${ascii(first)}.${ascii(last)}${serial}`,
            `${ascii(first)[0]}${ascii(last)}${serial}`,
            `${ascii(first)}_${ascii(last)}.${serial}`,
          ][Math.floor(random() * 3)];
          const createdAt = Math.round(now - SPAN_MS + (inserted + done + i + random()) * step);
          rows.push({
            email: `${local}@${pick(DOMAINS, random)}`,
            name: `${first} ${last}`,
            password_hash: passwordHash,
            active: random() < inactiveShare ? 0 : 1,
            created_at: createdAt,
            updated_at: createdAt,
          });
        }
        const ids = await trx.insertInto("users").values(rows).returning("id").execute();
        await trx
          .insertInto("user_roles")
          .values(ids.map(({ id }) => ({ user_id: id, role_id: role.id })))
          .execute();
      }
    });
    inserted += batch;
  }
  return { inserted, ms: performance.now() - started };
}
