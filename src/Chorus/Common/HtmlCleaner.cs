using System.Net;
using System.Text.RegularExpressions;
using Ganss.Xss;
using Markdig;
using Chorus.Features.Inbox;

namespace Chorus.Common;

/// One place where outside HTML is made safe and staff Markdown becomes HTML.
public sealed partial class HtmlCleaner
{
    // Made on first use, not with the singleton: the ingest pipeline's writer takes this cleaner, so it was
    // made on every start, and HtmlSanitizer (AngleSharp) with Markdig cost ~160 ms and ~15 MiB there before
    // any HTML needed cleaning (bench/README.md, start-up and first-page memory).
    private readonly Lazy<HtmlSanitizer> _sanitizer = new(CreateSanitizer);
    private readonly Lazy<MarkdownPipeline> _markdown = new(() => new MarkdownPipelineBuilder().UseAutoLinks().UseSoftlineBreakAsHardlineBreak().DisableHtml().Build());

    private static HtmlSanitizer CreateSanitizer()
    {
        var sanitizer = new HtmlSanitizer();
        sanitizer.AllowedSchemes.Add("mailto");
        // A form in a customer's mail would post whatever an agent types to wherever the sender likes.
        foreach (var tag in new[] { "form", "input", "button", "select", "option", "optgroup", "textarea", "fieldset", "legend", "label", "datalist", "output" })
            sanitizer.AllowedTags.Remove(tag);
        // The markers mail clients put around quoted history and signatures, so the thread can collapse
        // them (QuotedText). Only these classes and ids survive; none of them is styled or used by Chorus.
        sanitizer.AllowedAttributes.Add("class");
        foreach (var c in QuotedText.MarkerClasses) sanitizer.AllowedClasses.Add(c);
        sanitizer.RemovingAttribute += (_, e) =>
        {
            if (e.Attribute.Name == "id" && QuotedText.MarkerIds.Contains(e.Attribute.Value)) e.Cancel = true;
        };
        // Remote images leak that a message was read: the only images kept are a message's own
        // inline attachments, which ingest pointed at /attachments/{id} (same origin, staff only).
        sanitizer.PostProcessDom += (_, e) =>
        {
            foreach (var img in e.Document.QuerySelectorAll("img").ToList())
            {
                if (!OwnAttachment().IsMatch(img.GetAttribute("src") ?? "")) { img.Remove(); continue; }
                foreach (var attribute in img.Attributes.Select(a => a.Name).Where(n => n is not ("src" or "alt" or "title" or "width" or "height")).ToList())
                    img.RemoveAttribute(attribute);
            }
        };
        sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is AngleSharp.Dom.IElement { TagName: "A" } a)
            {
                a.SetAttribute("rel", "nofollow noopener noreferrer");
                a.SetAttribute("target", "_blank");
            }
        };
        return sanitizer;
    }

    public string Sanitize(string html) => _sanitizer.Value.Sanitize(html);

    public string MarkdownToHtml(string markdown) => _sanitizer.Value.Sanitize(Markdown.ToHtml(markdown, _markdown.Value));

    /// Plain text of an HTML fragment (for previews, search and the text column).
    public static string ToText(string html)
    {
        var withBreaks = BlockEnd().Replace(html, "\n");
        var stripped = Tags().Replace(withBreaks, "");
        return WebUtility.HtmlDecode(Blank().Replace(stripped, "\n\n")).Trim();
    }

    [GeneratedRegex(@"^/attachments/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    private static partial Regex OwnAttachment();
    [GeneratedRegex(@"<\s*(br|/p|/div|/li|/h[1-6]|/tr)\s*/?>", RegexOptions.IgnoreCase)]
    private static partial Regex BlockEnd();
    [GeneratedRegex(@"<(script|style)[^>]*>.*?</\1>|<[^>]+>", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex Tags();
    [GeneratedRegex(@"\n\s*\n\s*(\n\s*)+")]
    private static partial Regex Blank();
}
