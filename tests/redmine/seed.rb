# Seeds a fresh Redmine (after db:migrate and redmine:load_default_data) with the
# dataset the Redmine tests compute their expected values from; see DATASET in
# redmine_server.py. Run with `rails runner`; OKRSYNC_REDMINE_KEY is the bot's API key.
# History is written the way Redmine itself writes it (journals with details), then
# dated: Redmine stamps everything "now", and the tests need chosen instants.

ActionMailer::Base.perform_deliveries = false
# Production runs jobs (the notification mails) on background threads, whose reads of
# the SQLite file can meet this script's writes and fail them as "database is locked":
# run them inline, and have no notification to send in the first place.
ActiveJob::Base.queue_adapter = :inline
Setting.notified_events = []
Setting.rest_api_enabled = '1'

def at(text)
  Time.utc(*text.split(/[-T:]/).map(&:to_i))
end

admin = User.find_by_login('admin')
admin.update_columns(must_change_passwd: false)
bot = User.new(firstname: 'OKR', lastname: 'Bot', mail: 'okr-bot@example.com')
bot.login = 'okr-bot'
bot.password = bot.password_confirmation = 'okr-bot-password'
bot.save!
token = Token.create!(user: bot, action: 'api')
token.update_columns(value: ENV.fetch('OKRSYNC_REDMINE_KEY'))

new_status = IssueStatus.find_by_name('New')
status = IssueStatus.all.index_by(&:name)
feature = Tracker.find_by_name('Feature')
story = Tracker.create!(name: 'Story', default_status: new_status)
key_result = Tracker.create!(name: 'Key Result', default_status: new_status)
WorkflowRule.copy(feature, nil, [story, key_result], nil)
trackers = Tracker.all.to_a

points = IssueCustomField.create!(name: 'Story points', field_format: 'float',
                                  is_for_all: true, trackers: trackers)
IssueCustomField.create!(name: 'KR Progress', field_format: 'float', is_for_all: true,
                         trackers: trackers)

manager = Role.find_by_name('Manager')
shop = Project.create!(name: 'Shop', identifier: 'shop', is_public: true, trackers: trackers,
                       enabled_module_names: %w[issue_tracking])
okr = Project.create!(name: 'OKRs', identifier: 'okr', is_public: true, trackers: trackers,
                      enabled_module_names: %w[issue_tracking])
[shop, okr].each { |project| Member.create!(user: bot, project: project, roles: [manager]) }

sprint1 = Version.create!(project: shop, name: 'Sprint 1', effective_date: '2026-07-14')
sprint2 = Version.create!(project: shop, name: 'Sprint 2', effective_date: '2026-07-28')
Version.create!(project: shop, name: 'Sprint 3', effective_date: '2026-08-11')

def make_issue(project, tracker, subject, status, version: nil, points: nil, parent: nil)
  issue = Issue.new(project: project, tracker: tracker, subject: subject,
                    author: User.find_by_login('admin'), priority: IssuePriority.default)
  issue.status = status
  issue.fixed_version = version
  issue.parent_issue_id = parent.id if parent
  issue.custom_field_values = { points[0].id => points[1] } if points
  issue.save!
  issue
end

def journal(issue, time, details)
  entry = Journal.new(journalized: issue, user: User.find_by_login('admin'), notes: '')
  details.each do |property, key, old, new|
    entry.details << JournalDetail.new(property: property, prop_key: key.to_s,
                                       old_value: old&.to_s, value: new&.to_s)
  end
  entry.save!
  entry.update_columns(created_on: at(time))
end

sp = ->(value) { [points, value] }
a = make_issue(shop, story, 'Pay with one click', status['Closed'], version: sprint1, points: sp.('3'))
b = make_issue(shop, story, 'Remember the card', status['Closed'], version: sprint2, points: sp.('8'))
c = make_issue(shop, Tracker.find_by_name('Bug'), 'Double charge on retry', status['Rejected'],
               version: sprint2)
e = make_issue(shop, feature, 'Guest checkout', status['Feedback'], points: sp.('1'))
d = make_issue(shop, story, 'Guest address form', new_status, points: sp.('2'), parent: e)
kr = make_issue(okr, key_result, 'KR: checkout stories done', new_status)
Journal.where(journalized_type: 'Issue').delete_all  # Redmine's own "child added" notes

journal(a, '2026-07-03T09:00', [['attr', :status_id, status['New'].id, status['In Progress'].id]])
journal(a, '2026-07-10T16:00', [['attr', :status_id, status['In Progress'].id, status['Closed'].id]])
journal(b, '2026-07-08T09:00', [['attr', :status_id, status['New'].id, status['In Progress'].id]])
journal(b, '2026-07-13T12:00', [['attr', :fixed_version_id, sprint1.id, sprint2.id]])
journal(b, '2026-07-20T10:00', [['cf', points.id, '5', '8']])
journal(b, '2026-07-25T10:00', [['attr', :status_id, status['In Progress'].id, status['Resolved'].id]])
journal(b, '2026-08-01T10:00', [['attr', :status_id, status['Resolved'].id, status['Closed'].id]])
journal(c, '2026-07-15T12:00', [['attr', :status_id, status['New'].id, status['Rejected'].id]])
journal(e, '2026-07-06T09:00', [['attr', :status_id, status['New'].id, status['Feedback'].id]])
journal(d, '2026-07-22T10:00', [['attr', :parent_id, nil, e.id]])

{ a => ['2026-07-01T10:00', '2026-07-10T16:00', '2026-07-10T16:00'],
  b => ['2026-07-01T11:00', '2026-08-01T10:00', '2026-08-01T10:00'],
  c => ['2026-07-02T09:00', '2026-07-15T12:00', '2026-07-15T12:00'],
  e => ['2026-07-05T09:00', '2026-07-06T09:00', nil],
  d => ['2026-07-20T09:00', '2026-07-22T10:00', nil],
  kr => ['2026-07-01T08:00', '2026-07-01T08:00', nil] }.each do |issue, (created, updated, closed)|
  issue.update_columns(created_on: at(created), updated_on: at(updated),
                       closed_on: closed && at(closed))
end
Version.where(id: [sprint1.id, sprint2.id]).update_all(status: 'closed')

puts({ issues: { a: a.id, b: b.id, c: c.id, d: d.id, e: e.id, kr: kr.id },
       trackers: Tracker.all.to_h { |t| [t.name, t.id] },
       versions: Version.all.to_h { |v| [v.name, v.id] },
       fields: IssueCustomField.all.to_h { |f| [f.name, f.id] } }.to_json)
