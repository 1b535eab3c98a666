using Chorus.Features.Listening.Mentions;
using MudBlazor;

namespace Chorus.Features.Listening.Pages;

/// How listening pages say things: sentiment as words and colours, reach, source states.
public static class ListeningText
{
    public static string Sentiment(double score) => score < Mention.NegativeBelow ? "negative" : score > Mention.PositiveAbove ? "positive" : "neutral";

    public static Color SentimentColor(double score) => score < Mention.NegativeBelow ? Color.Error : score > Mention.PositiveAbove ? Color.Success : Color.Default;

    public static string Reach(int? score, int? followers) => string.Join(" · ", new[]
    {
        score is { } s ? $"{Compact(s)} {(s == 1 ? "point" : "points")}" : null,
        followers is { } f ? $"{Compact(f)} followers" : null,
    }.Where(x => x is not null));

    public static string Compact(long n) => n switch
    {
        >= 1_000_000 => $"{n / 1_000_000.0:0.#}M",
        >= 10_000 => $"{n / 1000.0:0}k",
        >= 1_000 => $"{n / 1000.0:0.#}k",
        _ => n.ToString(),
    };

    public static Color StateColor(string state) => state switch
    {
        "ok" => Color.Success,
        "failing" => Color.Error,
        "rate-limited" => Color.Warning,
        _ => Color.Default,
    };

    public static string KindLabel(string kind) => kind switch
    {
        "rss" => "RSS / Atom",
        "reddit" => "reddit",
        "hackernews" => "Hacker News",
        "mastodon" => "Mastodon",
        "webhook" => "Webhook",
        _ => kind,
    };
}
