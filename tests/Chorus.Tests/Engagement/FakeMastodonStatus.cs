using System.Text.Json.Nodes;
using Chorus.Tests.Campaigns;

namespace Chorus.Tests.Engagement;

/// The published status as the fake Mastodon answers it: the recorded status and context, filled in.
public sealed class FakeMastodonStatus
{
    private readonly string _id;
    private readonly string _base;
    public int Replies { get; set; }
    public int Boosts { get; set; }
    public int Favourites { get; set; }
    /// The publishing account's followers, as the status's account reports them.
    public long Followers { get; set; } = 1843;
    /// Whether the later replies have arrived.
    public bool Later { get; set; }
    public bool Deleted { get; set; }
    public Guid PostId { get; }

    public FakeMastodonStatus(FakeChannelServer server, (string Status, Guid Post) published)
    {
        _id = published.Status;
        _base = server.Address.ToString();
        PostId = published.Post;
        server.Read = r => Deleted ? null : r.Path == $"/api/v1/statuses/{_id}" ? Status() : r.Path == $"/api/v1/statuses/{_id}/context" ? Context() : null;
    }

    private static string Recorded(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Data", "Mastodon", name));
    /// The status and its replies were recorded on 30 November 2026; they are answered as if written today (same
    /// times of day, UTC), so reports that count replies per day see them on the day the test publishes its post.
    private string Fill(string json) => json.Replace("{{STATUS}}", _id).Replace("{{BASE}}", _base)
        .Replace("\"2026-11-30T", $"\"{DateTime.UtcNow:yyyy-MM-dd}T");

    private string Status() => Fill(Recorded("status.json")).Replace("{{REPLIES}}", Replies.ToString())
        .Replace("{{BOOSTS}}", Boosts.ToString()).Replace("{{FAVOURITES}}", Favourites.ToString()).Replace("{{FOLLOWERS}}", Followers.ToString());

    private string Context()
    {
        var context = JsonNode.Parse(Fill(Recorded("context.json")))!;
        if (Later)
            foreach (var d in JsonNode.Parse(Fill(Recorded("context-later.json")))!["descendants"]!.AsArray().ToList())
                context["descendants"]!.AsArray().Add(d!.DeepClone());
        return context.ToJsonString();
    }
}
