using System.Text;
using Chorus.Common;

namespace Chorus.Features.Listening.Monitors;

/// A monitor's boolean query, parsed once and matched against every mention's text.
///
/// Syntax: words and "quoted phrases"; AND, OR and NOT in capitals (lower-case and/or/not are words);
/// a space between two terms means AND; parentheses group; a trailing * matches any ending
/// (refund* matches refunds, refunded). NOT binds tightest, then AND, then OR:
/// `acme OR "acme corp" NOT (job OR hiring)` is `acme OR ("acme corp" AND NOT (job OR hiring))`.
/// Matching ignores case and punctuation: words are runs of letters and digits, so #acme and @acme
/// match acme, and a term like acme-corp is the phrase "acme corp".
public sealed class MonitorQuery
{
    public const int MaxLength = 2000;
    private const int MaxNesting = 32;

    private readonly Node _root;

    private MonitorQuery(Node root, string text)
    {
        _root = root;
        Text = text;
    }

    /// The query as the user wrote it (trimmed).
    public string Text { get; }

    /// Parses a query, or says what is wrong with it and where (1-based character positions).
    public static Outcome<MonitorQuery> Parse(string? query)
    {
        var text = query?.Trim() ?? "";
        if (text.Length == 0) return Invalid("Enter words or \"quoted phrases\" to look for.");
        if (text.Length > MaxLength) return Invalid($"A query can be at most {MaxLength} characters long.");
        try
        {
            var parser = new Parser(Lex(text));
            var root = parser.ParseAll();
            if (!root.RequiresTerm)
                return Invalid("The query needs a word or phrase to look for outside NOT: NOT only excludes.");
            return new MonitorQuery(root, text);
        }
        catch (QuerySyntaxException e)
        {
            return Invalid(e.Message);
        }
    }

    private static Outcome<MonitorQuery>.Invalid Invalid(string error) => Outcome<MonitorQuery>.Invalid.One("query", error);

    public bool Matches(string text) => Matches(MentionText.Of(text));

    /// Matches text prepared once for all monitors (see MentionText.Of).
    public bool Matches(MentionText text) => _root.Matches(text);

    // ---- Matching ----

    private abstract class Node
    {
        public abstract bool Matches(MentionText text);
        /// Whether every match needs at least one term present (a query of only NOT would match everything).
        public abstract bool RequiresTerm { get; }
    }

    private sealed class Term(string[] words, bool prefix) : Node
    {
        public override bool RequiresTerm => true;
        public override bool Matches(MentionText text) => text.Contains(words, prefix);
    }

    private sealed class And(Node left, Node right) : Node
    {
        public override bool RequiresTerm => left.RequiresTerm || right.RequiresTerm;
        public override bool Matches(MentionText text) => left.Matches(text) && right.Matches(text);
    }

    private sealed class Or(Node left, Node right) : Node
    {
        public override bool RequiresTerm => left.RequiresTerm && right.RequiresTerm;
        public override bool Matches(MentionText text) => left.Matches(text) || right.Matches(text);
    }

    private sealed class Not(Node inner) : Node
    {
        public override bool RequiresTerm => false;
        public override bool Matches(MentionText text) => !inner.Matches(text);
    }

    // ---- Lexing and parsing ----

    private enum Kind { Word, Phrase, And, Or, Not, Open, Close, End }

    private readonly record struct Token(Kind Kind, string Text, int Position);

    private sealed class QuerySyntaxException(string message) : Exception(message);

    private static List<Token> Lex(string text)
    {
        var tokens = new List<Token>();
        for (var i = 0; i < text.Length;)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            var position = i + 1;
            if (c == '(') { tokens.Add(new(Kind.Open, "(", position)); i++; continue; }
            if (c == ')') { tokens.Add(new(Kind.Close, ")", position)); i++; continue; }
            if (c is '"' or '“' or '”')
            {
                var close = text.IndexOfAny(['"', '“', '”'], i + 1);
                if (close < 0) throw new QuerySyntaxException($"The quote at character {position} is not closed.");
                var phrase = text[(i + 1)..close];
                if (MentionText.Words(phrase).Count == 0)
                    throw new QuerySyntaxException($"The quotes at character {position} enclose no words to look for.");
                tokens.Add(new(Kind.Phrase, phrase, position));
                i = close + 1;
                continue;
            }
            var start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('(' or ')' or '"' or '“' or '”')) i++;
            var word = text[start..i];
            tokens.Add(word switch
            {
                "AND" => new(Kind.And, word, position),
                "OR" => new(Kind.Or, word, position),
                "NOT" => new(Kind.Not, word, position),
                _ => new(Kind.Word, word, position),
            });
        }
        tokens.Add(new(Kind.End, "", text.Length + 1));
        return tokens;
    }

    private sealed class Parser(List<Token> tokens)
    {
        private int _at;
        private int _depth;

        private Token Peek => tokens[_at];
        private Token Next() => tokens[_at++];

        public Node ParseAll()
        {
            var node = ParseOr();
            var rest = Peek;
            if (rest.Kind == Kind.Close) throw new QuerySyntaxException($"The ')' at character {rest.Position} has no '(' before it.");
            if (rest.Kind != Kind.End) throw new QuerySyntaxException($"Unexpected {Describe(rest)} at character {rest.Position}.");
            return node;
        }

        private Node ParseOr()
        {
            var node = ParseAnd();
            while (Peek.Kind == Kind.Or)
            {
                var or = Next();
                node = new Or(node, Operand(or, ParseAnd));
            }
            return node;
        }

        private Node ParseAnd()
        {
            var node = ParseUnary();
            while (true)
            {
                if (Peek.Kind == Kind.And)
                {
                    var and = Next();
                    node = new And(node, Operand(and, ParseUnary));
                }
                else if (Peek.Kind is Kind.Word or Kind.Phrase or Kind.Not or Kind.Open)
                    node = new And(node, ParseUnary()); // a space between terms is AND
                else return node;
            }
        }

        private Node ParseUnary()
        {
            if (Peek.Kind != Kind.Not) return ParsePrimary();
            var not = Next();
            return new Not(Operand(not, ParseUnary));
        }

        private Node ParsePrimary()
        {
            var token = Peek;
            switch (token.Kind)
            {
                case Kind.Word:
                case Kind.Phrase:
                    Next();
                    return TermOf(token);
                case Kind.Open:
                    Next();
                    if (++_depth > MaxNesting) throw new QuerySyntaxException($"Parentheses are nested more than {MaxNesting} deep.");
                    if (Peek.Kind == Kind.Close) throw new QuerySyntaxException($"The parentheses at character {token.Position} enclose nothing.");
                    var inner = ParseOr();
                    if (Peek.Kind != Kind.Close) throw new QuerySyntaxException($"The '(' at character {token.Position} is not closed.");
                    Next();
                    _depth--;
                    return inner;
                default:
                    throw new QuerySyntaxException(token.Kind == Kind.End
                        ? "The query ends where a word or phrase was expected."
                        : $"Expected a word or phrase at character {token.Position}, found {Describe(token)}.");
            }
        }

        // An operator needs something on its right; say which operator when it has nothing.
        private Node Operand(Token op, Func<Node> parse)
        {
            if (Peek.Kind is Kind.End or Kind.Close or Kind.And or Kind.Or)
                throw new QuerySyntaxException($"{op.Text} at character {op.Position} needs a word or phrase after it.");
            return parse();
        }

        private static Term TermOf(Token token)
        {
            var text = token.Text;
            var prefix = token.Kind == Kind.Word && text.Length > 1 && text.EndsWith('*');
            var words = MentionText.Words(prefix ? text[..^1] : text);
            if (words.Count == 0) throw new QuerySyntaxException($"'{text}' at character {token.Position} has no letters or digits to look for.");
            return new Term([.. words], prefix);
        }

        private static string Describe(Token t) => t.Kind switch
        {
            Kind.Close => "')'",
            Kind.Open => "'('",
            Kind.End => "the end of the query",
            _ => t.Text,
        };
    }
}

/// A mention's text as monitors match it: its words in lower case, prepared once and shared by every
/// monitor a mention is checked against.
public sealed class MentionText
{
    private readonly List<string> _words;
    private readonly HashSet<string> _distinct;

    private MentionText(List<string> words)
    {
        _words = words;
        _distinct = new HashSet<string>(words, StringComparer.Ordinal);
    }

    public static MentionText Of(string? text) => new(Words(text ?? ""));

    /// Runs of letters and digits, lower case.
    public static List<string> Words(string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c)) word.Append(char.ToLowerInvariant(c));
            else if (word.Length > 0) { words.Add(word.ToString()); word.Clear(); }
        }
        if (word.Length > 0) words.Add(word.ToString());
        return words;
    }

    /// Whether the words occur in this order, side by side; with prefix, the last one may continue.
    public bool Contains(string[] phrase, bool prefix)
    {
        if (phrase.Length == 1 && !prefix) return _distinct.Contains(phrase[0]);
        for (var start = 0; start + phrase.Length <= _words.Count; start++)
        {
            var all = true;
            for (var k = 0; k < phrase.Length && all; k++)
            {
                var last = k == phrase.Length - 1;
                all = prefix && last ? _words[start + k].StartsWith(phrase[k], StringComparison.Ordinal) : _words[start + k] == phrase[k];
            }
            if (all) return true;
        }
        return false;
    }
}
