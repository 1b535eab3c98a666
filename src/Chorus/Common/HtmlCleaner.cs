using System.Net;
using System.Text.RegularExpressions;
using Ganss.Xss;
using Markdig;
using Chorus.Features.Inbox;

namespace Chorus.Common;

/// One place where outside HTML is made safe and staff Markdown becomes HTML.
public sealed partial class HtmlCleaner
{
    private readonly HtmlSanitizer _sanitizer = new();
    private readonly MarkdownPipeline _markdown = new MarkdownPipelineBuilder().UseAutoLinks().UseSoftlineBreakAsHardlineBreak().DisableHtml().Build();

    public HtmlCleaner()
    {
        _sanitizer.AllowedSchemes.Add("mailto");
        // A form in a customer's mail would post whatever an agent types to wherever the sender likes.
        foreach (var tag in new[] { "form", "input", "button", "select", "option", "optgroup", "textarea", "fieldset", "legend", "label", "datalist", "output" })
            _sanitizer.AllowedTags.Remove(tag);
        // The markers mail clients put around quoted history and signatures, so the thread can collapse
        // them (QuotedText). Only these classes and ids survive; none of them is styled or used by Chorus.
        _sanitizer.AllowedAttributes.Add("class");
        foreach (var c in QuotedText.MarkerClasses) _sanitizer.AllowedClasses.Add(c);
        _sanitizer.RemovingAttribute += (_, e) =>
        {
            if (e.Attribute.Name == "id" && QuotedText.MarkerIds.Contains(e.Attribute.Value)) e.Cancel = true;
        };
        // Remote images leak that a message was read: the only images kept are a message's own
        // inline attachments, which ingest pointed at /attachments/{id} (same origin, staff only).
        _sanitizer.PostProcessDom += (_, e) =>
        {
            foreach (var img in e.Document.QuerySelectorAll("img").ToList())
            {
                if (!OwnAttachment().IsMatch(img.GetAttribute("src") ?? "")) { img.Remove(); continue; }
                foreach (var attribute in img.Attributes.Select(a => a.Name).Where(n => n is not ("src" or "alt" or "title" or "width" or "height")).ToList())
                    img.RemoveAttribute(attribute);
            }
        };
        _sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is AngleSharp.Dom.IElement { TagName: "A" } a)
            {
                a.SetAttribute("rel", "nofollow noopener noreferrer");
                a.SetAttribute("target", "_blank");
            }
        };
    }

    public string Sanitize(string html) => _sanitizer.Sanitize(html);

    public string MarkdownToHtml(string markdown) => _sanitizer.Sanitize(Markdown.ToHtml(markdown, _markdown));

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
