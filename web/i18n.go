package web

import (
	"net/http"

	"golang.org/x/text/language"
)

// Languages of the console, in the order the switch shows them.
var languages = []struct {
	Code, Name string
	Tag        language.Tag
}{
	{"en", "English", language.English},
	{"zh-Hant", "繁體中文", language.TraditionalChinese},
	{"zh-Hans", "简体中文", language.SimplifiedChinese},
}

var langMatcher = func() language.Matcher {
	tags := make([]language.Tag, len(languages))
	for i, l := range languages {
		tags[i] = l.Tag
	}
	return language.NewMatcher(tags)
}()

// langCookie remembers a language chosen with the switch; it outranks Accept-Language.
const langCookie = "gw_lang"

// pickLang is the console's language for a request: the switch's cookie, else the best
// match of Accept-Language (zh-TW and zh-HK read Traditional, zh and zh-CN Simplified),
// else English.
func pickLang(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil && knownLang(c.Value) {
		return c.Value
	}
	tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if err != nil || len(tags) == 0 {
		return "en"
	}
	_, i, conf := langMatcher.Match(tags...)
	if conf == language.No {
		return "en"
	}
	return languages[i].Code
}

func knownLang(code string) bool {
	for _, l := range languages {
		if l.Code == code {
			return true
		}
	}
	return false
}

// messages holds every phrase of the pages: English, Traditional and Simplified Chinese.
// The key is the English text; TestEveryPhraseTranslated holds the templates to it.
var messages = map[string][2]string{
	"groupwatch console":                {"groupwatch 控制台", "groupwatch 控制台"},
	"Overview":                          {"總覽", "总览"},
	"Sources":                           {"來源", "来源"},
	"Rules":                             {"規則", "规则"},
	"Alerts":                            {"警報", "警报"},
	"Poison":                            {"毒訊息", "毒消息"},
	"Silences":                          {"靜音", "静音"},
	"Log out":                           {"登出", "退出登录"},
	"Log in":                            {"登入", "登录"},
	"Token":                             {"權杖", "令牌"},
	"Wrong token.":                      {"權杖錯誤。", "令牌错误。"},
	"Too many attempts; wait a minute.": {"嘗試次數過多，請稍候一分鐘。", "尝试次数过多，请稍候一分钟。"},
	"read-only":                         {"唯讀", "只读"},
	"Could not read":                    {"無法讀取", "无法读取"},
	"Stages":                            {"階段", "阶段"},
	"Group":                             {"群組", "组"},
	"Topic":                             {"主題", "主题"},
	"Lag":                               {"延遲", "延迟"},
	"Pending":                           {"待處理", "待处理"},
	"Oldest pending":                    {"最舊待處理", "最旧待处理"},
	"Poisoned":                          {"已隔離", "已隔离"},
	"Consumers":                         {"消費者", "消费者"},
	"Rows written per minute":           {"每分鐘寫入筆數", "每分钟写入条数"},
	"Deliveries by status":              {"各狀態的投遞", "各状态的投递"},
	"Sources by state":                  {"各狀態的來源", "各状态的来源"},
	"Leader":                            {"領導者", "领导者"},
	"Scheduler":                         {"排程器", "调度器"},
	"none":                              {"無", "无"},
	"Instances seen":                    {"近期程序", "近期进程"},
	"Instance":                          {"程序", "进程"},
	"Idle":                              {"閒置", "空闲"},
	"Name":                              {"名稱", "名称"},
	"Kind":                              {"類型", "类型"},
	"Account":                           {"帳號", "账号"},
	"State":                             {"狀態", "状态"},
	"Last crawl":                        {"上次爬取", "上次爬取"},
	"Verdict":                           {"結果", "结果"},
	"Last new post":                     {"上次新貼文", "上次新帖子"},
	"Next due":                          {"下次排程", "下次计划"},
	"Paused until":                      {"暫停至", "暂停至"},
	"Crawl now":                         {"立即爬取", "立即爬取"},
	"Recent crawls":                     {"近期爬取", "近期爬取"},
	"Started":                           {"開始", "开始"},
	"Finished":                          {"結束", "结束"},
	"Pages":                             {"頁數", "页数"},
	"New":                               {"新", "新"},
	"Seen":                              {"已見", "已见"},
	"Error":                             {"錯誤", "错误"},
	"running":                           {"執行中", "运行中"},
	"Query":                             {"查詢", "查询"},
	"Type":                              {"類型", "类型"},
	"Sinks":                             {"通知管道", "通知渠道"},
	"silenced":                          {"已靜音", "已静音"},
	"Matches per day":                   {"每日符合數", "每日匹配数"},
	"threshold":                         {"門檻", "阈值"},
	"baseline":                          {"基準", "基线"},
	"within":                            {"時間窗", "时间窗"},
	"Last alerts":                       {"最近警報", "最近警报"},
	"Test this rule":                    {"測試此規則", "测试此规则"},
	"Days":                              {"天數", "天数"},
	"Run test":                          {"執行測試", "运行测试"},
	"Posts read":                        {"讀取貼文", "读取帖子"},
	"Matches":                           {"符合", "匹配"},
	"Would fire":                        {"將觸發", "将触发"},
	"Nothing would have fired.":         {"不會觸發任何警報。", "不会触发任何警报。"},
	"Rule":                              {"規則", "规则"},
	"Source":                            {"來源", "来源"},
	"Status":                            {"狀態", "状态"},
	"From":                              {"從", "从"},
	"To":                                {"至", "至"},
	"Search":                            {"搜尋", "搜索"},
	"any":                               {"全部", "全部"},
	"When":                              {"時間", "时间"},
	"Terms":                             {"詞語", "词语"},
	"No alerts.":                        {"沒有警報。", "没有警报。"},
	"Alert":                             {"警報", "警报"},
	"Why it fired":                      {"觸發原因", "触发原因"},
	"Summary":                           {"摘要", "摘要"},
	"Suppressed":                        {"已抑制", "已抑制"},
	"Backfill":                          {"回填", "回填"},
	"Post":                              {"貼文", "帖子"},
	"Author":                            {"作者", "作者"},
	"Posted":                            {"發佈", "发布"},
	"Link":                              {"連結", "链接"},
	"Deliveries":                        {"投遞", "投递"},
	"Sink":                              {"通知管道", "通知渠道"},
	"Attempts":                          {"嘗試", "尝试"},
	"Next attempt":                      {"下次嘗試", "下次尝试"},
	"Sent":                              {"已送出", "已发送"},
	"Last error":                        {"上次錯誤", "上次错误"},
	"Resend":                            {"重新發送", "重新发送"},
	"No deliveries.":                    {"沒有投遞。", "没有投递。"},
	"Entries":                           {"項目", "条目"},
	"Reason":                            {"原因", "原因"},
	"Handler":                           {"處理器", "处理器"},
	"From topic":                        {"來源主題", "来源主题"},
	"Requeue":                           {"重新排入", "重新入队"},
	"Drop":                              {"丟棄", "丢弃"},
	"No poisoned messages.":             {"沒有毒訊息。", "没有毒消息。"},
	"Metadata":                          {"中繼資料", "元数据"},
	"Payload":                           {"內容", "内容"},
	"Until":                             {"直到", "直到"},
	"Key":                               {"鍵", "键"},
	"Clear":                             {"解除", "解除"},
	"No silences in force.":             {"目前沒有靜音。", "当前没有静音。"},
	"New silence":                       {"新增靜音", "新增静音"},
	"Duration":                          {"時長", "时长"},
	"Create":                            {"建立", "创建"},
	"Done":                              {"完成", "完成"},
	"Paused after a block or checkpoint, with every source of account %s; it resumes by itself after the cool-down. Check the account in a browser before then.": {
		"因封鎖或驗證檢查而暫停（帳號 %s 的所有來源皆同）；冷卻期過後會自動恢復。在此之前請先用瀏覽器檢查該帳號。",
		"因封锁或验证检查而暂停（账号 %s 的所有来源皆同）；冷却期过后会自动恢复。在此之前请先用浏览器检查该账号。"},
	"Account %s met a login wall: export fresh cookies into its cookies file, then press Crawl now (or run pipeline crawl %s).": {
		"帳號 %s 遇到登入牆：請將新的 cookies 匯出到它的 cookies 檔，然後按「立即爬取」（或執行 pipeline crawl %s）。",
		"账号 %s 遇到登录墙：请将新的 cookies 导出到它的 cookies 文件，然后按“立即爬取”（或运行 pipeline crawl %s）。"},
	"What to do": {"處理方式", "处理方式"},
	"Not found.": {"找不到。", "找不到。"},
	"Something went wrong; the log says what.": {"發生錯誤，詳見日誌。", "发生错误，详见日志。"},
	"Crawl queued: %s":                         {"已排入爬取：%s", "已加入爬取：%s"},
	"Deliveries due again: %s":                 {"重新排程的投遞：%s", "重新安排的投递：%s"},
	"Entries requeued: %s":                     {"已重新排入：%s", "已重新入队：%s"},
	"Entries dropped: %s":                      {"已丟棄：%s", "已丢弃：%s"},
	"Silenced: %s":                             {"已靜音：%s", "已静音：%s"},
	"Silences ended: %s":                       {"已解除靜音：%s", "已解除静音：%s"},
	"This needs the admin token.":              {"此操作需要管理權杖。", "此操作需要管理令牌。"},
}

// translate returns the phrase in lang; an unknown phrase shows as written.
func translate(lang, key string) string {
	m, ok := messages[key]
	switch {
	case !ok || lang == "en":
		return key
	case lang == "zh-Hant":
		return m[0]
	default:
		return m[1]
	}
}
