using Chorus.Features.Inbox;
using Chorus.Features.People;

namespace Chorus.Features.Demo;

/// The words of the demo workspace: people, topics per team, and the stories Chorus was made for.
internal static class DemoText
{
    public sealed record DemoPerson(string Name, string Email, string Reddit, string Forum, string Mastodon, PersonKind Kind);

    public sealed record Topic(string Subject, string Body, string[] Replies, string[] Tags);

    public sealed record Script(ConversationStatus Status, Priority Priority, bool Assigned, string? Agent, string[] Tags,
        (MessageKind Kind, string Text, string? Who)[] Posts, string? FollowUp)
    {
        public static readonly Script None = new(ConversationStatus.New, Priority.Normal, false, null, [], [], null);
    }

    public sealed record StoryMessage(string ExternalId, DateTimeOffset At, string Text);

    public sealed record Story(string Channel, string Thread, IdentityKind AuthorKind, string Handle, string Name, PersonKind PersonKind,
        string Subject, StoryMessage[] Messages, Script Script);

    private static readonly string[] First = ["Ava", "Ben", "Chloe", "Diego", "Elif", "Farah", "Gus", "Hana", "Ivan", "Jade", "Kofi", "Lena", "Mateo", "Nora", "Omar", "Pia", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Vera", "Wes", "Xin", "Yara", "Zoe", "Arjun", "Bea", "Cal", "Dara"];
    private static readonly string[] Last = ["Andersen", "Brooks", "Castillo", "Dubois", "Eriksen", "Fischer", "Gupta", "Haddad", "Ito", "Jensen", "Kowalski", "Lopez", "Moreau", "Nakamura", "Okoye", "Petrov", "Quist", "Rossi", "Silva", "Tanaka", "Uddin", "Varga", "Weber", "Yilmaz", "Zhou"];
    private static readonly string[] Domains = ["gmail.com", "outlook.com", "proton.me", "northwind.test", "contoso.test", "fabrikam.test", "tailspin.test", "gmail.com", "icloud.com", "gmail.com"];

    public static DemoPerson Person(Random rng, int i)
    {
        var first = First[rng.Next(First.Length)];
        var last = Last[rng.Next(Last.Length)];
        var kind = rng.Next(100) switch { < 62 => PersonKind.Customer, < 86 => PersonKind.Fan, < 91 => PersonKind.Vip, < 94 => PersonKind.Partner, < 97 => PersonKind.Influencer, _ => PersonKind.Press };
        var domain = kind == PersonKind.Press ? "gamesdaily.test" : Domains[rng.Next(Domains.Length)];
        var handle = $"{first}{last[..3]}{i}".ToLowerInvariant();
        return new DemoPerson($"{first} {last}", $"{first.ToLowerInvariant()}.{last.ToLowerInvariant()}{i}@{domain}", $"{first}_{last}{i % 97}", handle, $"{handle}@mastodon.test", kind);
    }

    private static readonly Topic[] SupportTopics =
    [
        new("Can't log in after the update", "Since this morning's patch the launcher says my password is wrong, but it works on the website. I've reset it twice.", ["Sorry about that! The 1.4.2 launcher cached an old session. Please sign out from Settings > Account, then sign back in.", "That did it, thanks!"], ["login", "launcher"]),
        new("Refund for a double charge", "I was charged twice for the Deluxe upgrade (order LG-88213). Can you refund one of them?", ["I can see both charges. I've refunded the duplicate; it takes 3-5 business days to show up."], ["billing", "refund"]),
        new("Game crashes on startup (Linux)", "Starfall crashes right after the splash screen on Ubuntu 24.04 with an RTX 3060. Log attached in the next message.", ["Thanks for the log. This is the Vulkan driver issue from 1.4.1; driver 550.x fixes it."], ["crash", "linux"]),
        new("Save game lost after cloud sync", "My 40-hour save is gone. The cloud sync icon spun forever and now I'm back at chapter 1.", ["Your cloud history still has the save from yesterday 21:14. I've restored it to slot 2."], ["saves", "cloud-sync"]),
        new("How do I change my username?", "Is it possible to change my display name? I picked something silly years ago.", ["Yes: Settings > Profile > Display name. You can change it once every 30 days."], ["account"]),
        new("Controller not detected", "My 8BitDo controller isn't recognized in the menus, but works in Steam Big Picture.", ["Please turn off Steam Input for Starfall in the game's properties; the two fight over the device."], ["controller"]),
        new("Gift code not working", "My friend gave me a gift code and it says 'already redeemed'. It's brand new.", ["That code was redeemed on an account with the same e-mail as yours, made in 2021. I've merged the two accounts."], ["billing", "gift-code"]),
        new("Download stuck at 99%", "The 1.4.2 patch download is stuck at 99% for an hour.", ["Pause and resume the download; the last chunk sometimes times out on slow mirrors."], ["download"]),
        new("Missing pre-order bonus", "I pre-ordered but I don't see the Aurora skin in my inventory.", ["Pre-order items unlock after finishing the prologue. Let us know if it's still missing after that!"], ["pre-order"]),
        new("Data export request", "Please send me a copy of all data you hold about me.", ["We've started your export; you'll get a download link by e-mail within 72 hours."], ["privacy"]),
    ];

    private static readonly Topic[] CommunityTopics =
    [
        new("Best build for the Ember class?", "I'm level 30 with Ember and my damage falls off hard in the late game. What are people running?", ["Great question! The community build guide pinned in the forum is up to date for 1.4."], ["builds"]),
        new("Fan art: the lighthouse level", "Spent the weekend painting the lighthouse from chapter 3. Hope you like it!", ["This is gorgeous. Would you mind if we shared it on our channels, with credit?"], ["fan-art", "ugc"]),
        new("Speedrun community meetup", "A few of us are organizing a speedrun marathon for charity. Any chance of a shout-out?", ["We love this. Let's talk: can you send details of the charity and the schedule?"], ["events", "speedrun"]),
        new("Is co-op coming?", "Any news on split-screen co-op? My kids would love it.", ["Nothing to announce yet, but it's the most requested feature and the team knows."], ["feature-request", "co-op"]),
        new("Mod support?", "Are official mod tools planned? The community would build amazing stuff.", ["We've passed this on to the dev team; follow the forum's dev diary for news."], ["feature-request", "mods"]),
        new("Found a funny bug", "If you jump on the lighthouse railing while opening the map, your character moonwalks. Video below!", ["Ha! Passing this to the team, it might be a feature now."], ["bug", "fun"]),
    ];

    private static readonly Topic[] MarketingTopics =
    [
        new("Loved the trailer!", "The new trailer gave me chills. When does the soundtrack come out?", ["Thank you! The soundtrack lands on streaming services on the 12th."], ["trailer", "soundtrack"]),
        new("Newsletter unsubscribe", "Please stop sending me the newsletter.", ["Done, you're unsubscribed. Sorry for the noise!"], ["newsletter"]),
        new("Giveaway winner?", "Did the Mastodon giveaway winners get announced? I can't find the post.", ["Winners were messaged yesterday; the announcement post goes out tomorrow."], ["giveaway"]),
        new("Streamer kit", "I stream Starfall to ~2k viewers. Is there a press/streamer kit with overlays?", ["Yes! I'll send you the streamer kit link and add you to our creators list."], ["creators", "influencer"]),
    ];

    private static readonly Topic[] PressTopics =
    [
        new("Interview request: Starfall 1.5", "I'm writing a feature on the 1.5 update for Games Daily. Could I interview the game director next week?", ["Thanks for reaching out! I'll check the director's calendar and come back to you by Thursday."], ["interview"]),
        new("Review code request", "Could we get a review code for the DLC ahead of the embargo?", ["Codes go out Monday under the embargo in the attached terms."], ["review-code", "embargo"]),
        new("Comment on layoffs rumor", "We're hearing rumors of layoffs at Lumen. Do you have a comment before we publish?", ["We'll send a statement within the hour."], ["statement"]),
    ];

    public static (string Channel, Topic Topic) PickTopic(Random rng, DemoPerson person)
    {
        if (person.Kind == PersonKind.Press) return ("press", PressTopics[rng.Next(PressTopics.Length)]);
        if (person.Kind == PersonKind.Partner) return ("partners", MarketingTopics[rng.Next(MarketingTopics.Length)]);
        var roll = rng.Next(100);
        return roll switch
        {
            < 45 => ("email", SupportTopics[rng.Next(SupportTopics.Length)]),
            < 55 => ("web", SupportTopics[rng.Next(SupportTopics.Length)]),
            < 68 => ("reddit", roll % 2 == 0 ? SupportTopics[rng.Next(SupportTopics.Length)] : CommunityTopics[rng.Next(CommunityTopics.Length)]),
            < 86 => ("forum", CommunityTopics[rng.Next(CommunityTopics.Length)]),
            _ => ("mastodon", MarketingTopics[rng.Next(MarketingTopics.Length)]),
        };
    }

    /// Older conversations are mostly solved; recent ones mostly still open.
    public static Script RandomScript(Random rng, Topic topic, TimeSpan age)
    {
        var roll = rng.Next(100) + (int)Math.Min(40, age.TotalDays * 2);
        var status = roll switch
        {
            < 25 => ConversationStatus.New, < 45 => ConversationStatus.Open, < 58 => ConversationStatus.Pending,
            < 63 => ConversationStatus.OnHold, < 110 => ConversationStatus.Solved, _ => ConversationStatus.Closed,
        };
        var priority = rng.Next(100) switch { < 10 => Priority.Low, < 75 => Priority.Normal, < 93 => Priority.High, _ => Priority.Urgent };
        var posts = status switch
        {
            ConversationStatus.New => [],
            ConversationStatus.Open => rng.Next(2) == 0 ? [(MessageKind.Note, "Looking into this; checking the logs first.", null)] : [],
            _ => new (MessageKind, string, string?)[] { (MessageKind.Reply, topic.Replies[0], null) },
        };
        var followUp = status is ConversationStatus.Open && rng.Next(3) == 0 ? "Any update on this? Still happening for me." : null;
        return new Script(status, priority, status != ConversationStatus.New && rng.Next(10) > 1, null, topic.Tags, posts, followUp);
    }

    /// The moments from the essays behind Chorus.
    public static IEnumerable<Story> Stories(DateTimeOffset now)
    {
        // A fan asks a simple question nobody in support would think of, and it goes viral.
        yield return new Story("mastodon", "story-box", IdentityKind.Mastodon, "pixelhound@mastodon.test", "Rae (pixelhound)", PersonKind.Fan,
            "How big is the collector's edition box?",
            [
                new("story-box-1", now.AddHours(-30), "Serious question before I pre-order: how big is the Starfall collector's edition box? My dog Biscuit wants to know if she fits. 🐶📦"),
                new("story-box-2", now.AddHours(-6), "UPDATE: she fits. 😂 Photo of Biscuit in the box attached. This is now her bed."),
            ],
            new(ConversationStatus.Open, Priority.High, true, "sam", ["collectors-edition", "ugc", "viral"],
            [
                (MessageKind.Reply, "It's 42 × 30 × 18 cm — big enough for Biscuit, apparently! Could we share the photo (with credit)?", "sam"),
                (MessageKind.Note, "This post has 4k boosts and climbing. @leo can marketing use it? @priya a journalist from Games Daily already asked about it.", "sam"),
            ], null));

        // A wrong answer (MB instead of GB) reaches the front page of reddit at 10 PM.
        yield return new Story("reddit", "story-mbgb", IdentityKind.Reddit, "data_capped_dan", "Dan K.", PersonKind.Customer,
            "Lumen support told me the patch was 850 MB. It's 85 GB. My data cap is gone.",
            [
                new("story-mbgb-1", now.AddHours(-5), "Asked Lumen support how big the 1.5 patch was because I'm on a capped connection. They said 850 MB. It's 85 GB. My whole month's data is gone and my ISP is charging me overage. Great job, Lumen."),
                new("story-mbgb-2", now.AddHours(-2), "Edit: this is on the front page now. Still no answer from Lumen beyond a canned reply."),
            ],
            new(ConversationStatus.Open, Priority.Urgent, true, "dana", ["wrong-answer", "escalation", "reddit-front-page"],
            [
                (MessageKind.Note, "Our macro said 850 MB — the real size is 85 GB. This is on r/all. @priya @sam we need a public reply tonight; @devon can we ship a delta patch?", "dana"),
                (MessageKind.Note, "Drafting a statement now. Let's own the mistake and offer to cover the overage.", "priya"),
            ], null));

        // A VIP partner brand needs something quickly.
        yield return new Story("partners", "story-vip", IdentityKind.Email, "jordan.lee@northwind.test", "Jordan Lee (Northwind Retail)", PersonKind.Vip,
            "Co-marketing assets and 500 bundle keys for the holiday launch",
            [
                new("story-vip-1", now.AddHours(-20), "Hi team, for our holiday endcap launch we need the co-marketing asset pack and 500 bundle keys by Friday. Can you confirm?"),
            ],
            new(ConversationStatus.Pending, Priority.High, true, "leo", ["partner", "holiday-launch"],
            [
                (MessageKind.Reply, "Hi Jordan, confirmed: the asset pack is attached and the 500 keys will be in your partner portal by Thursday.", "leo"),
            ], null));

        // A journalist asks for comment (PR's private team).
        yield return new Story("press", "story-press", IdentityKind.Email, "m.chen@gamesdaily.test", "Morgan Chen (Games Daily)", PersonKind.Press,
            "Request for comment: the 85 GB patch and the reddit thread",
            [
                new("story-press-1", now.AddHours(-1), "I'm writing about the Starfall patch-size mix-up that's trending on reddit. Does Lumen have a comment? Deadline 9 AM ET."),
            ],
            new(ConversationStatus.Open, Priority.Urgent, true, "priya", ["statement", "wrong-answer"],
            [(MessageKind.Note, "Linking to the reddit thread #story. Statement draft in progress with @dana.", "priya")], null));
    }
}
