using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Chorus.Features.Channels.Outbox;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Chorus.Tests.Automation.AutomationTestKit;

namespace Chorus.Tests.Automation;

/// The actions that reach outside the conversation's fields: replies from macros, e-mails to colleagues, webhooks.
public class RuleActionTests
{
    [Theory, Providers]
    public async Task A_rule_replies_with_a_macro_filled_in_and_applies_the_macros_actions(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var macro = await admin.CreateMacroAsync(new
        {
            name = "Shipping times", body = "Hi {{person.first_name}}, parcels ship within 2 days. Your reference is {{conversation.reference}}. — {{agent.name}}",
            actions = new[] { Action("SetStatus", "Pending"), Action("AddTags", "auto-answered") },
        });
        await admin.CreateRuleAsync(new
        {
            name = "Answer shipping", enabled = true, trigger = "ConversationCreated", conditions = new[] { Condition("Text", "Contains", "shipping") },
            actions = new[] { Action("ReplyWithMacro", macro.GetProperty("id").ToString()) },
        });
        var number = (await admin.DeliverAsync("r-1", text: "How long does shipping take?", name: "Ann Customer")).Number;
        var detail = await admin.EventuallyAsync(number, d => d.Messages().Any(m => m.Kind == "Reply"));
        var reply = detail.GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("kind").GetString() == "Reply");
        Assert.Equal($"Hi Ann, parcels ship within 2 days. Your reference is #{number}. — the team", reply.GetProperty("text").GetString());
        Assert.Equal("Chorus", reply.GetProperty("authorName").GetString());
        Assert.Equal(["Rule 'Answer shipping' added tag auto-answered.", "Rule 'Answer shipping' replied with the macro 'Shipping times'.", "Rule 'Answer shipping' set the status to pending."],
            detail.RuleEvents().Order());
        Assert.Equal("Pending", detail.Summary().GetProperty("status").GetString());
        Assert.NotEqual(JsonValueKind.Null, detail.GetProperty("firstReplyAt").ValueKind);
        var macros = await (await admin.GetAsync("/api/v1/macros")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, macros[0].GetProperty("usageCount").GetInt32());

        // A macro a rule replies with cannot be deleted from under it.
        var refused = await (await admin.Http.DeleteAsync($"/api/v1/macros/{macro.GetProperty("id")}")).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("used by the rule 'Answer shipping'", refused.GetProperty("detail").GetString());
    }

    [Theory, Providers]
    public async Task A_rule_calls_a_webhook_through_the_outbox_once_with_the_conversation(Provider provider)
    {
        using var receiver = new WebhookReceiver();
        await using var app = new ChorusFactory(provider);
        app.Settings["Chorus:Outbox:PollMilliseconds"] = "100";
        var admin = await app.StaffAsync("admin");
        await admin.CreateRuleAsync(new
        {
            name = "Tell the bridge", enabled = true, trigger = "ConversationCreated", conditions = new[] { Condition("Text", "Contains", "outage") },
            actions = new[] { Action("SetPriority", "Urgent"), Action("SendWebhook", receiver.Url) },
        });
        var number = (await admin.DeliverAsync("w-1", text: "Is there an outage?", subject: "Down?")).Number;
        await admin.EventuallyAsync(number, d => d.HasEvent("called the webhook 127.0.0.1"));
        var call = await receiver.Calls.Reader.ReadAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        var body = JsonDocument.Parse(call.Body).RootElement;
        Assert.Equal("Tell the bridge", body.GetProperty("rule").GetString());
        Assert.Equal("a new conversation", body.GetProperty("event").GetString());
        Assert.Equal(number, body.GetProperty("conversation").GetProperty("number").GetInt64());
        Assert.Equal("Urgent", body.GetProperty("conversation").GetProperty("priority").GetString()); // actions before it already applied
        Assert.Equal(body.GetProperty("id").GetString(), call.IdempotencyKey);
        // Signed with the workspace's webhook secret, which only admins can read.
        var secret = (await (await admin.GetAsync("/api/v1/rules/webhook-secret")).JsonAsync(HttpStatusCode.OK)).GetProperty("secret").GetString()!;
        Assert.StartsWith("whsec_", secret);
        Assert.Equal(Chorus.Features.Automation.WebhookSigning.Sign(secret, call.Body), call.Signature);
        Assert.Equal("sha256=" + Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(secret), System.Text.Encoding.UTF8.GetBytes(call.Body))), call.Signature);
        var rotated = (await (await admin.PostAsync("/api/v1/rules/webhook-secret/rotate", new { })).JsonAsync(HttpStatusCode.OK)).GetProperty("secret").GetString();
        Assert.NotEqual(secret, rotated);
        var audit = await (await admin.GetAsync("/api/v1/audit?action=webhooks.")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(["webhooks.secret-rotated", "webhooks.secret-viewed"], audit.EnumerateArray().Select(a => a.GetProperty("action").GetString()));
        // Marked sent once the receiver answered (just after it got the call).
        OutboxItem item;
        do item = await app.DbAsync(db => db.Outbox.AsNoTracking().SingleAsync(o => o.Purpose == OutboxPurpose.Webhook));
        while (item.Status == DeliveryStatus.Sending && await Task.Delay(50).ContinueWith(_ => true));
        Assert.Equal(DeliveryStatus.Sent, item.Status);
        Assert.Equal(1, item.Attempts);
    }

    [Theory, Providers]
    public async Task A_webhook_the_receiver_refuses_fails_with_its_answer_shown_in_the_thread(Provider provider)
    {
        using var receiver = new WebhookReceiver(status: 410);
        await using var app = new ChorusFactory(provider);
        app.Settings["Chorus:Outbox:PollMilliseconds"] = "100";
        var admin = await app.StaffAsync("admin");
        await admin.CreateRuleAsync(new
        {
            name = "Gone hook", enabled = true, trigger = "ConversationCreated", conditions = Array.Empty<object>(), actions = new[] { Action("SendWebhook", receiver.Url) },
        });
        var number = (await admin.DeliverAsync("g-1")).Number;
        var detail = await admin.EventuallyAsync(number, d => d.HasEvent("A rule's webhook call could not be delivered."));
        Assert.Contains(detail.Messages(), m => m.Kind == "Event" && m.Text.Contains("127.0.0.1 answered 410 Gone."));
        var item = await app.DbAsync(db => db.Outbox.AsNoTracking().SingleAsync(o => o.Purpose == OutboxPurpose.Webhook));
        Assert.Equal(DeliveryStatus.Failed, item.Status);
        Assert.Equal(1, item.Attempts); // a refusal is not retried
    }

    [Theory, Providers]
    public async Task A_rule_emails_a_colleague_through_the_notification_mailbox_or_says_why_it_cannot(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        app.Settings["Chorus:Email:Poll"] = "false";
        app.Settings["Chorus:Outbox:Dispatch"] = "false"; // the queued e-mail stays where the test can read it
        var admin = await app.StaffAsync("admin");
        var lead = await app.StaffWithEmailAsync("lead@example.test", "agent", "Support");
        await admin.CreateRuleAsync(new
        {
            name = "Press to the lead", enabled = true, trigger = "ConversationCreated", conditions = new[] { Condition("Text", "Contains", "journalist") },
            actions = new[] { Action("NotifyByEmail", lead.UserId) },
        });
        var before = (await admin.DeliverAsync("n-1", text: "I am a journalist at the Times")).Number;
        var refused = await admin.EventuallyAsync(before, d => d.RuleEvents().Length > 0);
        Assert.Contains("could not e-mail", refused.RuleEvents()[0]);
        Assert.Contains("no mailbox sends notification e-mail", refused.RuleEvents()[0]);

        await (await admin.PostAsync("/api/v1/channels/mailboxes", new
        {
            name = "Support", address = "support@example.test", imapHost = "imap.example.test", imapUser = "support", imapPassword = "pass",
            smtpHost = "smtp.example.test", smtpUser = "support", smtpPassword = "pass",
        })).JsonAsync(HttpStatusCode.Created);
        var number = (await admin.DeliverAsync("n-2", text: "Another journalist question", handle: "kim@paper.test")).Number;
        var detail = await admin.EventuallyAsync(number, d => d.RuleEvents().Length > 0);
        Assert.StartsWith("Rule 'Press to the lead' e-mailed ", detail.RuleEvents()[0]);
        var conversationId = detail.Summary().GetProperty("id").GetGuid();
        var mail = await app.DbAsync(db => db.Outbox.AsNoTracking().SingleAsync(o => o.ConversationId == conversationId));
        Assert.Equal(OutboxPurpose.StaffNotification, mail.Purpose);
        Assert.Contains("To: ", mail.Payload);
        Assert.Contains("lead@example.test", mail.Payload);
        Assert.Contains($"Subject: [Chorus #{number}] Rule 'Press to the lead'", mail.Payload);
    }

    /// A loopback HTTP endpoint that records each POST it receives and answers 204.
    private sealed class WebhookReceiver : IDisposable
    {
        private readonly HttpListener _listener = new();
        public string Url { get; }
        public System.Threading.Channels.Channel<(string Body, string? IdempotencyKey, string? Signature)> Calls { get; } =
            System.Threading.Channels.Channel.CreateUnbounded<(string, string?, string?)>();

        public WebhookReceiver(int status = 204)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            Url = $"http://127.0.0.1:{port}/hooks/chorus/";
            _listener.Prefixes.Add(Url);
            _listener.Start();
            _ = Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    HttpListenerContext ctx;
                    try { ctx = await _listener.GetContextAsync(); } catch { return; }
                    using var reader = new StreamReader(ctx.Request.InputStream);
                    Calls.Writer.TryWrite((await reader.ReadToEndAsync(), ctx.Request.Headers["Idempotency-Key"], ctx.Request.Headers["X-Chorus-Signature"]));
                    ctx.Response.StatusCode = status;
                    ctx.Response.Close();
                }
            });
        }

        public void Dispose() => _listener.Close();
    }
}
