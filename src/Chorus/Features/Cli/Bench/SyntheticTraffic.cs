using System.Text;
using Chorus.Features.Inbox.Ingest;
using Chorus.Features.People;

namespace Chorus.Features.Cli.Bench;

/// The size of a synthetic workspace.
public sealed record WorkspaceSize(int Messages, int People, int Conversations);

/// A channel the synthetic traffic arrives on, with its share of new conversations.
public sealed record TrafficChannel(Guid Id, string Name, Guid? TeamId, double Share);

/// Deterministic inbound traffic (same seed, same envelopes, byte for byte): people at companies and
/// on free mail, each starting several conversations, each conversation several messages, e-mail-like
/// text lengths, delivered in arrival order with follow-ups interleaved with newer conversations.
/// Streams: only the conversations waiting for a follow-up are held in memory.
public sealed class SyntheticTraffic
{
    public static readonly DateTimeOffset Start = new(2025, 11, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly TimeSpan Span = TimeSpan.FromDays(365);

    private readonly WorkspaceSize _size;
    private readonly ulong _seed;
    private readonly IReadOnlyList<TrafficChannel> _channels;
    private readonly string[] _companies;
    private readonly int[] _requesters;
    private readonly int[] _messageCounts;

    public SyntheticTraffic(WorkspaceSize size, int seed, IReadOnlyList<TrafficChannel> channels)
    {
        if (size.People < 1 || size.Conversations < 1 || size.Messages < size.Conversations)
            throw new ArgumentException("Need at least one person and one conversation, and at least one message per conversation.");
        _size = size;
        _seed = (ulong)seed;
        _channels = channels;
        var rng = new SplitMix(_seed);
        _companies = Enumerable.Range(0, Math.Max(1, size.People / 20))
            .Select(i => $"{Pick(ref rng, CompanyStems)}{Pick(ref rng, CompanySuffixes)}{i}.{Pick(ref rng, Tlds)}").ToArray();

        // Every person starts at least one conversation (when there are enough conversations); the rest
        // go to a skewed few, as real requesters are (a handful write in every week).
        _requesters = new int[size.Conversations];
        var order = Enumerable.Range(0, size.People).ToArray();
        for (var i = order.Length - 1; i > 0; i--)
        {
            var j = rng.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        for (var c = 0; c < size.Conversations; c++)
            _requesters[c] = c < size.People ? order[c] : order[Skewed(ref rng, size.People)];

        // One message each plus a geometric-like tail (most threads are short, a few run long),
        // then nudged until the total is exact.
        _messageCounts = new int[size.Conversations];
        var mean = (double)(size.Messages - size.Conversations) / size.Conversations;
        long total = 0;
        for (var c = 0; c < size.Conversations; c++) total += _messageCounts[c] = 1 + (int)rng.Exponential(mean + 0.5);
        while (total != size.Messages)
        {
            var c = rng.Next(size.Conversations);
            if (total < size.Messages) { _messageCounts[c]++; total++; }
            else if (_messageCounts[c] > 1) { _messageCounts[c]--; total--; }
        }
    }

    public WorkspaceSize Size => _size;

    /// All envelopes in arrival order.
    public IEnumerable<InboundEnvelope> Envelopes()
    {
        var followUps = new PriorityQueue<(int Conversation, int Index), long>();
        var step = Span.Ticks / _size.Conversations;
        for (var c = 0; c < _size.Conversations; c++)
        {
            var startedAt = c * step + (long)(new SplitMix(Mix(_seed, (ulong)c, 1)).NextDouble() * step);
            while (followUps.TryPeek(out var due, out var at) && at <= startedAt)
            {
                followUps.Dequeue();
                yield return Message(due.Conversation, due.Index, at, followUps);
            }
            yield return Message(c, 0, startedAt, followUps);
        }
        while (followUps.TryDequeue(out var due, out var at)) yield return Message(due.Conversation, due.Index, at, followUps);
    }

    /// A new envelope that no earlier one used (for load after the workspace is built): a new
    /// conversation, or (every third one) a follow-up in an existing thread.
    public InboundEnvelope Extra(long n, DateTimeOffset at)
    {
        var rng = new SplitMix(Mix(_seed, (ulong)n, 7));
        var person = rng.Next(_size.People);
        var conversation = rng.Next(_size.Conversations);
        var channel = ChannelFor(conversation);
        string? thread = n % 3 == 2 ? RootId(conversation) : null;
        var subject = thread is null ? Subject(ref rng) : null;
        return new InboundEnvelope(channel.Id, $"<load.{n}.{rng.NextULong():x12}@mail.{Domain(person)}>", thread,
            new InboundAuthor(IdentityKind.Email, Email(person), Name(person)), at, subject, Body(ref rng, person), null);
    }

    public string PersonName(int person) => Name(person);
    public string PersonEmail(int person) => Email(person);

    private InboundEnvelope Message(int c, int k, long at, PriorityQueue<(int, int), long> followUps)
    {
        var rng = new SplitMix(Mix(_seed, (ulong)c, (ulong)k + 100));
        if (k + 1 < _messageCounts[c])
            followUps.Enqueue((c, k + 1), at + (long)(TimeSpan.TicksPerHour * (0.2 + rng.Exponential(14))));
        var requester = _requesters[c];
        var author = k == 0 || rng.NextDouble() < 0.85 ? requester : rng.Next(_size.People);
        var subjectRng = new SplitMix(Mix(_seed, (ulong)c, 2));
        var subject = Subject(ref subjectRng);
        return new InboundEnvelope(
            ChannelFor(c).Id,
            k == 0 ? RootId(c) : $"<{rng.NextULong():x12}.{c}.{k}@mail.{Domain(author)}>",
            k == 0 ? null : RootId(c),
            new InboundAuthor(IdentityKind.Email, Email(author), Name(author)),
            Start.AddTicks(at),
            k == 0 ? subject : "Re: " + subject,
            Body(ref rng, author),
            null);
    }

    private string RootId(int c) => $"<{new SplitMix(Mix(_seed, (ulong)c, 3)).NextULong():x12}.{c}@mail.{Domain(_requesters[c])}>";

    private TrafficChannel ChannelFor(int c)
    {
        var x = new SplitMix(Mix(_seed, (ulong)c, 4)).NextDouble();
        foreach (var ch in _channels)
        {
            if (x < ch.Share) return ch;
            x -= ch.Share;
        }
        return _channels[^1];
    }

    private string Domain(int person)
    {
        var rng = new SplitMix(Mix(_seed, (ulong)person, 5));
        return rng.NextDouble() < 0.3 ? FreeMail[rng.Next(FreeMail.Length)] : _companies[Skewed(ref rng, _companies.Length)];
    }

    private static string First(int person) => FirstNames[(int)(Mix(17, (ulong)person, 0) % (ulong)FirstNames.Length)];
    private static string Last(int person) => LastNames[(int)(Mix(19, (ulong)person, 0) % (ulong)LastNames.Length)];
    private static string Name(int person) => $"{First(person)} {Last(person)}";
    private string Email(int person) => $"{First(person).ToLowerInvariant()}.{Last(person).ToLowerInvariant()}{person}@{Domain(person)}";

    private static string Subject(ref SplitMix rng) =>
        $"{Pick(ref rng, SubjectOpeners)} {Pick(ref rng, Topics)} {Pick(ref rng, SubjectEnds)}";

    /// An e-mail body: greeting, a few paragraphs (log-normal length, median about 350 characters,
    /// one in ten over 1,000), a sign-off with the author's name.
    private static string Body(ref SplitMix rng, int author)
    {
        var target = (int)Math.Clamp(350 * Math.Exp(0.8 * rng.Normal()), 20, 8000);
        var sb = new StringBuilder(target + 64);
        sb.Append(Pick(ref rng, Greetings)).Append("\n\n");
        while (sb.Length < target)
        {
            var words = 6 + rng.Next(14);
            for (var w = 0; w < words; w++)
            {
                var word = rng.NextDouble() < 0.03 ? Token(ref rng) : Words[Zipf(ref rng, Words.Length)];
                if (w == 0) sb.Append(char.ToUpperInvariant(word[0])).Append(word, 1, word.Length - 1);
                else sb.Append(' ').Append(word);
            }
            sb.Append(rng.NextDouble() < 0.2 ? "?" : ".").Append(rng.NextDouble() < 0.25 ? "\n\n" : " ");
        }
        return sb.Append("\n\n").Append(Pick(ref rng, SignOffs)).Append('\n').Append(First(author)).ToString();
    }

    /// Order numbers, error codes, versions: the long tail of terms a full-text index carries.
    private static string Token(ref SplitMix rng) => rng.Next(3) switch
    {
        0 => $"#{100000 + rng.Next(900000)}",
        1 => $"E{1000 + rng.Next(9000)}",
        _ => $"v{rng.Next(10)}.{rng.Next(20)}.{rng.Next(50)}",
    };

    /// An index in [0, n) with word-like frequencies: log-uniform, roughly Zipf's law.
    private static int Zipf(ref SplitMix rng, int n) => Math.Min(n - 1, (int)(Math.Pow(n + 1, rng.NextDouble()) - 1));

    /// An index in [0, n) where small indexes are more likely (the first of 100,000 about 300 times
    /// as likely as average): a few busy requesters and big customers, a long tail of the rest.
    private static int Skewed(ref SplitMix rng, int n) { var u = rng.NextDouble(); return Math.Min(n - 1, (int)(n * u * u)); }

    private static string Pick(ref SplitMix rng, string[] from) => from[rng.Next(from.Length)];

    private static ulong Mix(ulong a, ulong b, ulong c) => new SplitMix(a * 0x9E3779B97F4A7C15 ^ b * 0xC2B2AE3D27D4EB4F ^ c * 0x165667B19E3779F9).NextULong();

    /// SplitMix64: tiny, fast and the same on every platform and runtime version (System.Random's
    /// seeded sequence is not a documented contract).
    private struct SplitMix(ulong state)
    {
        public ulong NextULong()
        {
            var z = state += 0x9E3779B97F4A7C15;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
            return z ^ (z >> 31);
        }

        public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));
        public int Next(int n) => (int)(NextDouble() * n);
        public double Exponential(double mean) => -mean * Math.Log(1 - NextDouble());
        public double Normal() => Math.Sqrt(-2 * Math.Log(1 - NextDouble())) * Math.Cos(2 * Math.PI * NextDouble());
    }

    private static readonly string[] FreeMail = ["gmail.com", "outlook.com", "yahoo.com", "icloud.com", "proton.me", "gmx.de", "hotmail.com"];
    private static readonly string[] CompanyStems = ["north", "blue", "bright", "iron", "silver", "green", "rapid", "clear", "stone", "nova", "atlas", "pine", "harbor", "summit", "delta", "echo"];
    private static readonly string[] CompanySuffixes = ["works", "labs", "soft", "tech", "media", "systems", "games", "retail", "health", "logistics"];
    private static readonly string[] Tlds = ["com", "io", "de", "co.uk", "fr", "net", "org"];
    private static readonly string[] FirstNames = ["Ann", "Ben", "Chloe", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemal", "Lena", "Mateo", "Nadia", "Omar", "Paula", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zoe", "Aisha", "Bruno", "Carmen", "Diego", "Emma", "Felix"];
    private static readonly string[] LastNames = ["Okafor", "Schmidt", "Garcia", "Nguyen", "Kowalski", "Rossi", "Dubois", "Tanaka", "Silva", "Novak", "Larsen", "Haddad", "Ivanova", "Mbeki", "OBrien", "Fischer", "Moreau", "Petrov", "Yilmaz", "Chen", "Kumar", "Andersson", "Costa", "Weber", "Lindqvist", "Santos", "Horvat", "Jensen", "Murphy", "Bauer", "Kaya", "Ito"];
    private static readonly string[] Greetings = ["Hi,", "Hello,", "Hi team,", "Good morning,", "Dear support,", "Hey there,", "Hello again,"];
    private static readonly string[] SignOffs = ["Thanks,", "Best regards,", "Cheers,", "Kind regards,", "Thank you,", "Best,"];
    private static readonly string[] SubjectOpeners = ["Question about", "Problem with", "Help with", "Feedback on", "Urgent:", "Issue:", "Request:", "Follow-up on", "Can't access", "Billing question:"];
    private static readonly string[] Topics = ["my order", "the invoice", "my account", "the mobile app", "the subscription", "a refund", "the latest update", "the API", "password reset", "the export", "shipping", "the dashboard", "two-factor login", "the integration", "data import", "the firmware"];
    private static readonly string[] SubjectEnds = ["", "", "again", "please", "(urgent)", "- still not working", "since yesterday", "after the update", "for our team"];

    /// Most frequent first: Skewed() picks early words far more often, as in real text.
    private static readonly string[] Words =
    [
        "the", "to", "and", "i", "a", "is", "it", "we", "you", "of", "my", "in", "for", "that", "this", "on", "not", "with", "have", "but",
        "can", "be", "are", "order", "your", "me", "was", "do", "our", "so", "if", "when", "account", "please", "there", "from", "at", "an",
        "would", "just", "get", "any", "all", "help", "as", "could", "now", "still", "again", "one", "app", "know", "what", "update", "also",
        "thanks", "time", "work", "problem", "since", "working", "will", "been", "some", "use", "email", "invoice", "team", "after", "need",
        "how", "error", "out", "like", "back", "days", "today", "see", "it's", "don't", "login", "password", "page", "payment", "subscription",
        "customer", "issue", "sent", "yesterday", "version", "tried", "data", "new", "week", "other", "refund", "support", "again", "link",
        "click", "screen", "phone", "shipping", "delivery", "received", "package", "price", "plan", "charged", "twice", "card", "billing",
        "cancel", "upgrade", "download", "install", "crash", "crashes", "slow", "loading", "export", "import", "report", "dashboard", "settings",
        "notification", "message", "reply", "ticket", "number", "address", "change", "reset", "verify", "code", "access", "locked", "user",
        "users", "admin", "permission", "role", "company", "office", "colleague", "manager", "contract", "renewal", "discount", "coupon",
        "tracking", "courier", "warehouse", "stock", "available", "size", "color", "wrong", "missing", "broken", "damaged", "replacement",
        "return", "label", "warranty", "repair", "battery", "charger", "screen", "firmware", "bluetooth", "sync", "calendar", "contacts",
        "backup", "restore", "storage", "upload", "file", "files", "attachment", "pdf", "spreadsheet", "integration", "api", "webhook", "token",
        "key", "limit", "quota", "timeout", "server", "outage", "status", "maintenance", "release", "feature", "request", "roadmap", "beta",
        "feedback", "suggestion", "love", "great", "awesome", "frustrating", "disappointed", "urgent", "asap", "deadline", "invoice", "tax",
        "vat", "receipt", "currency", "euro", "dollar", "bank", "transfer", "paypal", "checkout", "cart", "discounted", "annual", "monthly",
        "seats", "license", "migration", "legacy", "browser", "chrome", "firefox", "safari", "android", "iphone", "windows", "linux", "mac",
        "tablet", "keyboard", "printer", "scanner", "network", "wifi", "vpn", "proxy", "certificate", "ssl", "domain", "dns", "redirect",
        "journalist", "article", "interview", "press", "launch", "event", "conference", "partner", "reseller", "affiliate", "newsletter",
        "unsubscribe", "spam", "privacy", "gdpr", "delete", "consent", "cookie", "tutorial", "documentation", "guide", "video", "forum",
        "community", "moderator", "starfall", "gamepad", "controller", "multiplayer", "server", "lag", "patch", "savegame", "achievement",
    ];
}
