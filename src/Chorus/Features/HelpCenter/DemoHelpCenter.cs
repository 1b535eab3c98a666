using Chorus.Common;
using Chorus.Data;

namespace Chorus.Features.HelpCenter;

/// The demo workspace's help center: Lumen Games' answers to what its players ask most, and one playbook.
public static class DemoHelpCenter
{
    public static void Add(ChorusDb db, DateTimeOffset now)
    {
        var cleaner = new HtmlCleaner();
        var account = new HelpCategory { Name = "Account and sign-in", Slug = "account", Description = "Passwords, two-factor sign-in and your Lumen account.", Position = 1 };
        var orders = new HelpCategory { Name = "Orders and refunds", Slug = "orders", Description = "Buying games, refunds, returns and gift cards.", Position = 2 };
        var games = new HelpCategory { Name = "Playing", Slug = "playing", Description = "Save files, crashes and performance.", Position = 3 };
        var team = new HelpCategory { Name = "How we work", Slug = "how-we-work", Description = "Playbooks for the team.", Position = 4 };
        db.AddRange(account, orders, games, team);

        HelpArticle Article(HelpCategory category, string title, string slug, string body, bool @internal = false, int days = 30)
        {
            var html = cleaner.MarkdownToHtml(body);
            return new HelpArticle
            {
                CategoryId = category.Id, Title = title, Slug = slug, Body = body, Html = html, Text = HtmlCleaner.ToText(html),
                Status = ArticleStatus.Published, Internal = @internal, PublishedAt = now.AddDays(-days), CreatedAt = now.AddDays(-days), UpdatedAt = now.AddDays(-days / 2),
                Version = 1,
            };
        }

        var latePlaybook = Article(team, "Handling a refund outside the 14 days", "playbook-late-refund", """
            **Internal playbook.** A player asks for a refund after 14 days or two hours of play:

            1. Check the order in the payments dashboard: a first refund for this player? Grant it once, as a goodwill refund, and tag the conversation `goodwill`.
            2. A second late refund within a year: decline kindly and offer store credit instead.
            3. Chargeback threatened or a journalist asking? Move the conversation to PR and assign a lead.
            """, @internal: true, days: 15);
        // The refund macro shows it in the picker: the team's training next to the work.
        foreach (var macro in db.ChangeTracker.Entries<Automation.Macro>().Where(m => m.Entity.Name == "Refund on its way"))
            macro.Entity.PlaybookId = latePlaybook.Id;
        db.AddRange(latePlaybook,
            Article(account, "Reset your password", "reset-your-password", """
                Forgot your password? On the sign-in page choose **Forgot password** and enter your account's e-mail address.
                We send you a reset link within a minute; it works for one hour.

                - No e-mail? Look in your spam folder, then ask for a new link.
                - Signed up with Steam or Xbox? Sign in with that button instead: your Lumen account has no password of its own.
                """, days: 60),
            Article(account, "Two-factor sign-in and recovery codes", "two-factor-sign-in", """
                Turn on two-factor sign-in under **Settings → Security**. Keep your recovery codes somewhere safe.

                Lost your phone? Sign in with one of your recovery codes, then set up two-factor sign-in on the new phone.
                Without recovery codes, write to us from your account's e-mail address and we verify your account by hand.
                """, days: 40),
            Article(orders, "How refunds work", "how-refunds-work", """
                You can return a game within **14 days** of purchase if you played it for less than two hours.

                1. Open **Library → Orders** and choose *Request a refund*.
                2. Refunds reach your card within 5 working days; gift-card purchases are refunded as store credit.

                Bought in a store? The store refunds it under its own rules.
                """, days: 50),
            Article(orders, "Where is my order?", "where-is-my-order", """
                Digital games appear in your library within minutes of payment. A boxed edition ships within 2 working days;
                the shipping e-mail has a **tracking link**.

                Payment pending for more than an hour? Your bank may be checking it: nothing is charged twice.
                """, days: 20),
            Article(games, "Where your save files are", "save-files", """
                Your saves are in `Documents/Lumen/Saves` on Windows and `~/Library/Application Support/Lumen/Saves` on macOS.

                Turn on **cloud sync** under *Settings → Saves* to keep them safe across devices and updates.
                """, days: 25),
            Article(games, "The game crashes on start", "crash-on-start", """
                1. Update your graphics driver.
                2. Verify the game files (*Library → the game → Verify*).
                3. Start with `--safe-mode` to switch off mods and overlays.

                Still crashing? Send us the file `crash.log` from the game's folder through the contact form.
                """, days: 10));
    }
}
